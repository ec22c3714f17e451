import { AppConfig } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { loadConfig } from './load-config';

function validationErrorOf(env: Record<string, string>): ConfigValidationError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigValidationError) return error;
    throw error;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe(loadConfig.name, () => {
  it('uses the documented defaults for an empty environment', () => {
    const expected: AppConfig = {
      port: 8000,
      host: '127.0.0.1',
      grpcPort: 50051,
      database: { type: 'sqlite', path: 'data/agent_runtime.db' },
      sqliteSynchronous: 'NORMAL',
      llm: {
        provider: 'echo',
        baseUrl: undefined,
        apiKey: undefined,
        model: 'gpt-4o-mini',
        timeoutMs: 120_000,
        maxRetries: 2,
        contextMessages: 200,
        echoTokens: 0,
        echoTokenDelayMs: 0,
        streamIdleTimeoutMs: 60_000,
        breakerThreshold: 5,
        breakerCooldownMs: 30_000,
      },
      sessionTtlHours: 0,
      sessionCleanupIntervalMs: 3_600_000,
      wsMaxFrameBytes: 1024 * 1024,
      auth: {
        enabled: false,
        jwtSecret: undefined,
        jwksUrl: undefined,
        issuer: undefined,
        audience: undefined,
        apiKeys: new Map(),
        allowRemoteWithoutAuth: false,
        login: null,
        wsSessionCapability: false,
      },
      limits: { restPerMinute: 600, wsMessagesPerMinute: 600, socketsPerUser: 100, maxMessageChars: 200_000, maxJsonDepth: 64 },
      lifecycle: { shutdownGraceMs: 10_000, wsHeartbeatMs: 30_000, wsIdleTimeoutMs: 0 },
      observability: { metricsToken: undefined, logFormat: 'text', readinessTimeoutMs: 1000 },
      redis: null,
      cluster: { runLeaseMs: 15_000 },
    };
    expect(loadConfig({})).toEqual(expected);
  });

  it('treats empty and blank variables as unset', () => {
    expect(loadConfig({ PORT: '', HOST: '   ', LLM_PROVIDER: '' })).toMatchObject({ port: 8000, host: '127.0.0.1' });
  });

  it('accepts every variable', () => {
    const config = loadConfig({
      PORT: ' 9000 ',
      GRPC_PORT: '50052',
      HOST: '0.0.0.0',
      DATABASE_URL: 'postgres://user:pass@db:5432/codelab',
      REDIS_URL: 'redis://:secret@cache:6379/2',
      RUN_LEASE_MS: '5000',
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: 'http://127.0.0.1:11434/v1/',
      LLM_API_KEY: 'sk-test',
      LLM_MODEL: 'qwen2.5-coder',
      LLM_TIMEOUT_MS: '5000',
      LLM_MAX_RETRIES: '0',
      LLM_CONTEXT_MESSAGES: '50',
      ECHO_TOKENS: '8',
      ECHO_TOKEN_DELAY_MS: '25',
      SESSION_TTL_HOURS: '24.5',
      SESSION_CLEANUP_INTERVAL_MINUTES: '0.5',
      WS_MAX_FRAME_BYTES: '2048',
      LLM_STREAM_IDLE_TIMEOUT_MS: '1500',
      LLM_BREAKER_THRESHOLD: '3',
      LLM_BREAKER_COOLDOWN_MS: '1000',
      AUTH_JWT_SECRET: 'a-secret-of-at-least-thirty-two-chars!',
      AUTH_JWKS_URL: 'https://auth.example/.well-known/jwks.json',
      AUTH_ISSUER: 'https://auth.codelab.local',
      AUTH_AUDIENCE: 'codelab-api',
      AUTH_API_KEYS: 'key-one-0123456789abcdef:alice, key-two-0123456789abcdef:bob',
      RATE_LIMIT_REST_PER_MINUTE: '60',
      RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '30',
      MAX_SOCKETS_PER_USER: '5',
      MAX_MESSAGE_CHARS: '1000',
      MAX_JSON_DEPTH: '16',
      SHUTDOWN_GRACE_MS: '2000',
      WS_HEARTBEAT_MS: '1000',
      WS_IDLE_TIMEOUT_MS: '60000',
      AUTH_LOGIN_ENABLED: 'true',
      AUTH_ACCESS_TOKEN_TTL_SECONDS: '600',
      AUTH_REFRESH_TOKEN_TTL_SECONDS: '86400',
      AUTH_LOGIN_CLIENTS: 'codelab-flutter-app, codelab-cli',
      AUTH_LOGIN_ATTEMPTS_PER_MINUTE: '5',
      AUTH_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '20',
      AUTH_WS_SESSION_CAPABILITY: 'true',
      METRICS_TOKEN: 'scrape-token-0123456789',
      LOG_FORMAT: 'json',
      READINESS_TIMEOUT_MS: '500',
      SQLITE_SYNCHRONOUS: 'FULL',
    });
    const expected: AppConfig = {
      port: 9000,
      host: '0.0.0.0',
      grpcPort: 50052,
      database: { type: 'postgres', url: 'postgres://user:pass@db:5432/codelab' },
      sqliteSynchronous: 'FULL',
      llm: {
        provider: 'openai',
        baseUrl: 'http://127.0.0.1:11434/v1',
        apiKey: 'sk-test',
        model: 'qwen2.5-coder',
        timeoutMs: 5000,
        maxRetries: 0,
        contextMessages: 50,
        echoTokens: 8,
        echoTokenDelayMs: 25,
        streamIdleTimeoutMs: 1500,
        breakerThreshold: 3,
        breakerCooldownMs: 1000,
      },
      sessionTtlHours: 24.5,
      sessionCleanupIntervalMs: 30_000,
      wsMaxFrameBytes: 2048,
      auth: {
        enabled: true,
        jwtSecret: 'a-secret-of-at-least-thirty-two-chars!',
        jwksUrl: 'https://auth.example/.well-known/jwks.json',
        issuer: 'https://auth.codelab.local',
        audience: 'codelab-api',
        apiKeys: new Map([
          ['key-one-0123456789abcdef', 'alice'],
          ['key-two-0123456789abcdef', 'bob'],
        ]),
        allowRemoteWithoutAuth: false,
        login: {
          issuer: 'https://auth.codelab.local',
          audience: 'codelab-api',
          accessTokenTtlSeconds: 600,
          refreshTokenTtlSeconds: 86_400,
          clients: ['codelab-flutter-app', 'codelab-cli'],
          attemptsPerMinutePerUser: 5,
          attemptsPerMinutePerAddress: 20,
        },
        wsSessionCapability: true,
      },
      limits: { restPerMinute: 60, wsMessagesPerMinute: 30, socketsPerUser: 5, maxMessageChars: 1000, maxJsonDepth: 16 },
      lifecycle: { shutdownGraceMs: 2000, wsHeartbeatMs: 1000, wsIdleTimeoutMs: 60_000 },
      observability: { metricsToken: 'scrape-token-0123456789', logFormat: 'json', readinessTimeoutMs: 500 },
      redis: { url: 'redis://:secret@cache:6379/2' },
      cluster: { runLeaseMs: 5000 },
    };
    expect(config).toEqual(expected);
  });

  it.each([
    ['PORT', '0'],
    ['PORT', '65535'],
    ['GRPC_PORT', '0'],
    ['GRPC_PORT', 'off'],
    ['DATABASE_URL', 'sqlite::memory:'],
    ['LLM_BASE_URL', 'https://api.openai.com/v1'],
    ['SESSION_TTL_HOURS', '0'],
    ['SESSION_CLEANUP_INTERVAL_MINUTES', '0.001'],
  ])('accepts the edge value %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).not.toThrow();
  });

  it.each([
    ['PORT', 'http'],
    ['PORT', '-1'],
    ['PORT', '65536'],
    ['PORT', '80.5'],
    ['GRPC_PORT', '70000'],
    ['GRPC_PORT', 'none'],
    ['DATABASE_URL', 'mysql://db/codelab'],
    ['DATABASE_URL', 'sqlite:'],
    ['LLM_PROVIDER', 'anthropic'],
    ['LLM_BASE_URL', 'localhost:11434'],
    ['LLM_BASE_URL', 'ftp://models.example/v1'],
    ['LLM_TIMEOUT_MS', '0'],
    ['LLM_MAX_RETRIES', '11'],
    ['LLM_CONTEXT_MESSAGES', '1'],
    ['ECHO_TOKENS', 'many'],
    ['ECHO_TOKEN_DELAY_MS', '60001'],
    ['SESSION_TTL_HOURS', '-1'],
    ['SESSION_TTL_HOURS', 'forever'],
    ['SESSION_TTL_HOURS', 'Infinity'],
    ['SESSION_CLEANUP_INTERVAL_MINUTES', '0'],
    ['WS_MAX_FRAME_BYTES', '100'],
    ['LOG_FORMAT', 'xml'],
    ['READINESS_TIMEOUT_MS', '10'],
    ['AUTH_LOGIN_ENABLED', 'maybe'],
    ['AUTH_ACCESS_TOKEN_TTL_SECONDS', '5'],
    ['AUTH_LOGIN_CLIENTS', 'good-app,bad app'],
    ['AUTH_WS_SESSION_CAPABILITY', 'perhaps'],
  ])('rejects %s=%s, naming the variable and the value', (name, value) => {
    const error = validationErrorOf({ [name]: value });
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toContain(name);
    expect(error.problems[0]).toContain(`"${value}"`);
  });

  describe('REDIS_URL and RUN_LEASE_MS', () => {
    const postgres = 'postgres://user@db:5432/codelab';

    it.each(['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379/11', 'rediss://user:pw@cache.example:6380/0', 'redis://cache'])(
      'accepts %s with PostgreSQL',
      (url) => {
        expect(loadConfig({ DATABASE_URL: postgres, REDIS_URL: url }).redis).toEqual({ url });
      },
    );

    it('refuses REDIS_URL with a SQLite database, saying why', () => {
      const error = validationErrorOf({ DATABASE_URL: 'sqlite:data/x.db', REDIS_URL: 'redis://127.0.0.1:6379' });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(/REDIS_URL is set but DATABASE_URL is SQLite/);
      expect(error.problems[0]).toMatch(/postgres:\/\//);
    });

    it('refuses REDIS_URL with the default (SQLite) database', () => {
      expect(validationErrorOf({ REDIS_URL: 'redis://127.0.0.1:6379' }).problems[0]).toMatch(/SQLite/);
    });

    it.each([
      ['http://cache:6379', /redis:\/\/ or rediss:\/\//],
      ['cache:6379', /redis:\/\/ or rediss:\/\//],
      ['not a url', /not a URL/],
      ['redis://cache:6379/db2', /database index/],
      ['redis://cache:6379/2?timeout=1', /query/],
    ])('rejects REDIS_URL=%s', (url, message) => {
      const error = validationErrorOf({ DATABASE_URL: postgres, REDIS_URL: url });
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]).toMatch(message);
    });

    it('never repeats a password of REDIS_URL in its error', () => {
      const error = validationErrorOf({ DATABASE_URL: postgres, REDIS_URL: 'redis://:hunter2secret@cache:6379/x' });
      expect(error.message).not.toContain('hunter2secret');
    });

    it.each(['999', '0', 'soon'])('rejects RUN_LEASE_MS=%s (at least 1000)', (value) => {
      const error = validationErrorOf({ RUN_LEASE_MS: value });
      expect(error.problems[0]).toContain('RUN_LEASE_MS');
    });
  });

  it('reports every bad variable in one error', () => {
    const bad = {
      PORT: 'eighty',
      DATABASE_URL: 'mysql://db/codelab',
      LLM_PROVIDER: 'gpt',
      LLM_BASE_URL: 'not a url',
      LLM_TIMEOUT_MS: '-5',
      LLM_MAX_RETRIES: 'x',
      LLM_CONTEXT_MESSAGES: '0',
      ECHO_TOKENS: '1.5',
      SESSION_TTL_HOURS: 'soon',
      SESSION_CLEANUP_INTERVAL_MINUTES: '-1',
      WS_MAX_FRAME_BYTES: '1e9',
    };
    const error = validationErrorOf(bad);

    expect(error.name).toBe('ConfigValidationError');
    expect(error.problems).toHaveLength(Object.keys(bad).length);
    for (const name of Object.keys(bad)) {
      expect(error.message).toContain(name);
    }
    expect(error.message.split('\n')[0]).toBe('Invalid configuration:');
  });

  it('serves gRPC on 50051 by default and not at all with GRPC_PORT=off', () => {
    expect(loadConfig({}).grpcPort).toBe(50051);
    expect(loadConfig({ GRPC_PORT: 'OFF' }).grpcPort).toBeNull();
    expect(loadConfig({ GRPC_PORT: '0' }).grpcPort).toBe(0);
  });

  it('states the allowed range in words an operator can act on', () => {
    expect(validationErrorOf({ SESSION_TTL_HOURS: '-2' }).problems).toEqual([
      'SESSION_TTL_HOURS must be a number >= 0 (got "-2")',
    ]);
    expect(validationErrorOf({ PORT: '70000' }).problems).toEqual([
      'PORT must be an integer between 0 and 65535 (got "70000")',
    ]);
  });

  it('rejects a short METRICS_TOKEN without echoing it', () => {
    const error = validationErrorOf({ METRICS_TOKEN: 'short-secret' });
    expect(error.problems).toEqual(['METRICS_TOKEN must be at least 16 characters']);
    expect(error.message).not.toContain('short-secret');
  });

  it('counts the built-in login as authentication (a non-loopback HOST is then allowed)', () => {
    expect(loadConfig({ HOST: '0.0.0.0', AUTH_LOGIN_ENABLED: 'true' }).auth).toMatchObject({
      enabled: true,
      login: { issuer: 'codelab-agent-service', audience: 'codelab-api', accessTokenTtlSeconds: 900, clients: ['codelab-flutter-app'] },
    });
  });

  it('requires LLM_BASE_URL for the openai provider', () => {
    const error = validationErrorOf({ LLM_PROVIDER: 'openai', LLM_API_KEY: 'sk-test' });
    expect(error.problems).toEqual([expect.stringContaining('LLM_BASE_URL is required when LLM_PROVIDER=openai')]);
  });

  it('reports a bad LLM_BASE_URL for the openai provider once', () => {
    const error = validationErrorOf({ LLM_PROVIDER: 'openai', LLM_BASE_URL: 'localhost:11434' });
    expect(error.problems).toEqual([expect.stringContaining('LLM_BASE_URL must be an http(s) URL')]);
  });

  it('does not need LLM_BASE_URL for the echo provider', () => {
    expect(loadConfig({ LLM_PROVIDER: 'echo' }).llm.baseUrl).toBeUndefined();
  });

  it('refuses a non-loopback HOST without authentication unless explicitly allowed', () => {
    expect(validationErrorOf({ HOST: '0.0.0.0' }).problems).toEqual([expect.stringContaining('HOST=0.0.0.0 is not a loopback address')]);
    expect(loadConfig({ HOST: '0.0.0.0', AUTH_DISABLED_ALLOW_REMOTE: 'true' }).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0', AUTH_API_KEYS: 'k-0123456789abcdef:u' }).auth.enabled).toBe(true);
    expect(loadConfig({ HOST: 'localhost' }).auth.enabled).toBe(false);
  });

  it('rejects weak or malformed auth settings, naming each', () => {
    const error = validationErrorOf({
      AUTH_JWT_SECRET: 'short',
      AUTH_API_KEYS: 'nouser',
      AUTH_DISABLED_ALLOW_REMOTE: 'perhaps',
      AUTH_JWKS_URL: 'ftp://x',
    });
    expect(error.problems).toEqual([
      expect.stringContaining('AUTH_JWKS_URL'),
      expect.stringContaining('AUTH_API_KEYS'),
      expect.stringContaining('AUTH_DISABLED_ALLOW_REMOTE'),
      expect.stringContaining('AUTH_JWT_SECRET'),
    ]);
  });
});
