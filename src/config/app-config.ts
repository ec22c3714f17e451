export type DatabaseConfig =
  | { readonly type: 'sqlite'; readonly path: string }
  | { readonly type: 'postgres'; readonly url: string };

export type LlmProviderName = 'echo' | 'openai';

/**
 * SQLite's `synchronous` setting. With WAL, `NORMAL` loses nothing committed when the process dies, but an
 * OS crash or power loss can lose the newest commits; `FULL` syncs the WAL on every commit and keeps them.
 */
export type SqliteSynchronous = 'NORMAL' | 'FULL';

export interface LlmConfig {
  readonly provider: LlmProviderName;
  readonly baseUrl: string | undefined;
  readonly apiKey: string | undefined;
  readonly model: string;
  /** Whole-request timeout of one model call. */
  readonly timeoutMs: number;
  /** Retries on 429, 5xx and network errors (exponential backoff). */
  readonly maxRetries: number;
  /** How many of the most recent history messages are sent to the model. */
  readonly contextMessages: number;
  /** Number of pieces the offline `echo` model streams its answer in (benchmarks raise it). */
  readonly echoTokens: number;
  /** Pause of the `echo` model before each piece it streams (a slow model for demos and browser tests). */
  readonly echoTokenDelayMs: number;
  /** A streamed answer that sends nothing for this long is aborted. */
  readonly streamIdleTimeoutMs: number;
  /** Consecutive failed model calls that open the circuit breaker… */
  readonly breakerThreshold: number;
  /** …for this long (calls fail fast), then one trial call is let through. */
  readonly breakerCooldownMs: number;
}

export interface AuthConfig {
  /** True when any credential source is configured; then every route but health needs a credential. */
  readonly enabled: boolean;
  readonly jwtSecret: string | undefined;
  readonly jwksUrl: string | undefined;
  readonly issuer: string | undefined;
  readonly audience: string | undefined;
  /** Static API key → user id. */
  readonly apiKeys: ReadonlyMap<string, string>;
  readonly allowRemoteWithoutAuth: boolean;
  /** The built-in token issuer for the reference IDE (PROTOCOL §10); null when AUTH_LOGIN_ENABLED is off. */
  readonly login: LoginConfig | null;
  /** A socket without credentials may open a server-made session id as its owner (PROTOCOL §10). */
  readonly wsSessionCapability: boolean;
}

export interface LoginConfig {
  /** `iss` of the tokens we issue (AUTH_ISSUER, else the service name). */
  readonly issuer: string;
  /** `aud` of the tokens we issue (AUTH_AUDIENCE, else `codelab-api`). */
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  /** Known public OAuth clients (`client_id`s). */
  readonly clients: readonly string[];
  /** Password-grant attempts a minute, per user name and per client address (429 beyond). */
  readonly attemptsPerMinutePerUser: number;
  readonly attemptsPerMinutePerAddress: number;
}

export type LogFormat = 'text' | 'json';

export interface ObservabilityConfig {
  /** When set, `GET /metrics` needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | undefined;
  readonly logFormat: LogFormat;
  /** How long the readiness probe waits for the database. */
  readonly readinessTimeoutMs: number;
}

export interface LimitsConfig {
  readonly restPerMinute: number;
  readonly wsMessagesPerMinute: number;
  readonly socketsPerUser: number;
  readonly maxMessageChars: number;
  readonly maxJsonDepth: number;
}

export interface LifecycleConfig {
  /** On SIGTERM, running turns get this long to finish before they are stopped and stored. */
  readonly shutdownGraceMs: number;
  /** Ping interval; a socket that has not answered the previous ping is dropped. 0 = off. */
  readonly wsHeartbeatMs: number;
  /** A socket that sends nothing for this long is closed. 0 = never. */
  readonly wsIdleTimeoutMs: number;
}

/** Shared state of several instances (PROTOCOL §8): set by `REDIS_URL`; null runs everything in-process. */
export interface RedisConfig {
  /** `redis://` or `rediss://` URL, optionally with a `/db` index. Never logged (it may carry a password). */
  readonly url: string;
}

export interface ClusterConfig {
  /** How long a run lease lasts without renewal: a dead instance's turns are released within it. */
  readonly runLeaseMs: number;
}

/** The whole, validated configuration of the service. Only `config/` reads `process.env`. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  /** gRPC AgentService port on the same HOST (0: a free one); null when GRPC_PORT=off. */
  readonly grpcPort: number | null;
  readonly database: DatabaseConfig;
  /** Applies to SQLite only. */
  readonly sqliteSynchronous: SqliteSynchronous;
  readonly llm: LlmConfig;
  readonly sessionTtlHours: number;
  readonly sessionCleanupIntervalMs: number;
  readonly wsMaxFrameBytes: number;
  readonly auth: AuthConfig;
  readonly limits: LimitsConfig;
  readonly lifecycle: LifecycleConfig;
  readonly observability: ObservabilityConfig;
  readonly redis: RedisConfig | null;
  readonly cluster: ClusterConfig;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
