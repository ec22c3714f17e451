import { AppConfig, LlmProviderName, LoginConfig, LogFormat, SqliteSynchronous } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url';
import { redisUrlProblem } from './redis-url';
import { EnvReader } from './env-reader';
import { SERVICE_NAME } from '../health/service-info';

type Env = Readonly<Record<string, string | undefined>>;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/**
 * Reads and validates every variable the service understands. Collects all problems before
 * failing, so one start-up attempt tells the operator everything that is wrong.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const reader = new EnvReader(env, problems);

  const port = reader.int('PORT', 8000, 0, 65535);
  const host = reader.string('HOST', '127.0.0.1');
  const grpcPort = reader.string('GRPC_PORT', '50051').toLowerCase() === 'off' ? null : reader.int('GRPC_PORT', 50051, 0, 65535);
  const databaseUrl = reader.string('DATABASE_URL', DEFAULT_DATABASE_URL);
  const database = parseDatabaseUrl(databaseUrl);
  if (database === null) {
    problems.push(
      `DATABASE_URL must be sqlite:<path>, sqlite::memory: or postgres://user:pass@host:port/db (got "${databaseUrl}")`,
    );
  }
  const sqliteSynchronous = reader.oneOf<SqliteSynchronous>('SQLITE_SYNCHRONOUS', ['NORMAL', 'FULL'], 'NORMAL');
  const provider = reader.oneOf<LlmProviderName>('LLM_PROVIDER', ['echo', 'openai'], 'echo');
  const baseUrl = reader.optionalUrl('LLM_BASE_URL');
  // A set but malformed LLM_BASE_URL has been reported already; report a missing one here.
  if (provider === 'openai' && reader.optionalString('LLM_BASE_URL') === undefined) {
    problems.push('LLM_BASE_URL is required when LLM_PROVIDER=openai (e.g. http://127.0.0.1:11434/v1)');
  }
  const llm = {
    provider,
    baseUrl,
    apiKey: reader.optionalString('LLM_API_KEY'),
    model: reader.string('LLM_MODEL', 'gpt-4o-mini'),
    timeoutMs: reader.int('LLM_TIMEOUT_MS', 120_000, 1, 3_600_000),
    maxRetries: reader.int('LLM_MAX_RETRIES', 2, 0, 10),
    contextMessages: reader.int('LLM_CONTEXT_MESSAGES', 200, 2, 100_000),
    echoTokens: reader.int('ECHO_TOKENS', 0, 0, 100_000),
    echoTokenDelayMs: reader.int('ECHO_TOKEN_DELAY_MS', 0, 0, 60_000),
    streamIdleTimeoutMs: reader.int('LLM_STREAM_IDLE_TIMEOUT_MS', 60_000, 100, 3_600_000),
    breakerThreshold: reader.int('LLM_BREAKER_THRESHOLD', 5, 1, 1000),
    breakerCooldownMs: reader.int('LLM_BREAKER_COOLDOWN_MS', 30_000, 100, 3_600_000),
  };
  const auth = {
    jwtSecret: reader.optionalString('AUTH_JWT_SECRET'),
    jwksUrl: reader.optionalUrl('AUTH_JWKS_URL'),
    issuer: reader.optionalString('AUTH_ISSUER'),
    audience: reader.optionalString('AUTH_AUDIENCE'),
    apiKeys: reader.keyMap('AUTH_API_KEYS'),
    allowRemoteWithoutAuth: reader.boolean('AUTH_DISABLED_ALLOW_REMOTE', false),
  };
  if (auth.jwtSecret !== undefined && auth.jwtSecret.length < 32) {
    problems.push('AUTH_JWT_SECRET must be at least 32 characters');
  }
  const login = readLoginConfig(reader, auth.issuer, auth.audience);
  const wsSessionCapability = reader.boolean('AUTH_WS_SESSION_CAPABILITY', false);
  const authEnabled = auth.jwtSecret !== undefined || auth.jwksUrl !== undefined || auth.apiKeys.size > 0 || login !== null;
  if (!authEnabled && !LOOPBACK_HOSTS.has(host) && !auth.allowRemoteWithoutAuth) {
    problems.push(
      `HOST=${host} is not a loopback address but no authentication is configured: set AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_API_KEYS or AUTH_LOGIN_ENABLED=true (or AUTH_DISABLED_ALLOW_REMOTE=true to accept the risk)`,
    );
  }
  const limits = {
    restPerMinute: reader.int('RATE_LIMIT_REST_PER_MINUTE', 600, 1, 1_000_000),
    wsMessagesPerMinute: reader.int('RATE_LIMIT_WS_MESSAGES_PER_MINUTE', 600, 1, 1_000_000),
    socketsPerUser: reader.int('MAX_SOCKETS_PER_USER', 100, 1, 1_000_000),
    maxMessageChars: reader.int('MAX_MESSAGE_CHARS', 200_000, 1, 64 * 1024 * 1024),
    maxJsonDepth: reader.int('MAX_JSON_DEPTH', 64, 2, 10_000),
  };
  const lifecycle = {
    shutdownGraceMs: reader.int('SHUTDOWN_GRACE_MS', 10_000, 0, 3_600_000),
    wsHeartbeatMs: reader.int('WS_HEARTBEAT_MS', 30_000, 0, 3_600_000),
    wsIdleTimeoutMs: reader.int('WS_IDLE_TIMEOUT_MS', 0, 0, 7 * 24 * 3_600_000),
  };
  const metricsToken = reader.optionalString('METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters');
  const observability = {
    metricsToken,
    logFormat: reader.oneOf<LogFormat>('LOG_FORMAT', ['text', 'json'], 'text'),
    readinessTimeoutMs: reader.int('READINESS_TIMEOUT_MS', 1000, 50, 60_000),
  };
  const sessionTtlHours = reader.number('SESSION_TTL_HOURS', 0, 0);
  const cleanupMinutes = reader.number('SESSION_CLEANUP_INTERVAL_MINUTES', 60, 0.001);
  const wsMaxFrameBytes = reader.int('WS_MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024);

  const redisUrl = reader.optionalString('REDIS_URL');
  const redisProblem = redisUrl === undefined ? null : redisUrlProblem(redisUrl);
  if (redisProblem !== null) problems.push(redisProblem);
  if (redisUrl !== undefined && database?.type === 'sqlite') {
    problems.push(
      'REDIS_URL is set but DATABASE_URL is SQLite: several instances need one PostgreSQL database (DATABASE_URL=postgres://…); SQLite serves one instance, without REDIS_URL',
    );
  }
  const cluster = { runLeaseMs: reader.int('RUN_LEASE_MS', 15_000, 1000, 3_600_000) };

  if (problems.length > 0 || database === null) {
    throw new ConfigValidationError(problems);
  }
  return {
    port,
    host,
    grpcPort,
    database,
    sqliteSynchronous,
    llm,
    sessionTtlHours,
    sessionCleanupIntervalMs: Math.round(cleanupMinutes * 60_000),
    wsMaxFrameBytes,
    auth: { ...auth, enabled: authEnabled, login, wsSessionCapability },
    limits,
    lifecycle,
    observability,
    redis: redisUrl === undefined ? null : { url: redisUrl },
    cluster,
  };
}

function readLoginConfig(reader: EnvReader, issuer: string | undefined, audience: string | undefined): LoginConfig | null {
  const enabled = reader.boolean('AUTH_LOGIN_ENABLED', false);
  const config: LoginConfig = {
    issuer: issuer ?? SERVICE_NAME,
    audience: audience ?? 'codelab-api',
    accessTokenTtlSeconds: reader.int('AUTH_ACCESS_TOKEN_TTL_SECONDS', 900, 30, 24 * 3600),
    refreshTokenTtlSeconds: reader.int('AUTH_REFRESH_TOKEN_TTL_SECONDS', 30 * 24 * 3600, 60, 365 * 24 * 3600),
    clients: reader.list('AUTH_LOGIN_CLIENTS', ['codelab-flutter-app'], /^[A-Za-z0-9._:-]{1,128}$/),
    attemptsPerMinutePerUser: reader.int('AUTH_LOGIN_ATTEMPTS_PER_MINUTE', 10, 1, 100_000),
    attemptsPerMinutePerAddress: reader.int('AUTH_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS', 30, 1, 100_000),
  };
  return enabled ? config : null;
}
