export type DatabaseConfig =
  | { readonly type: 'sqlite'; readonly path: string }
  | { readonly type: 'postgres'; readonly url: string };

export type LlmProviderName = 'echo' | 'openai';

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
}

/** The whole, validated configuration of the service. Only `config/` reads `process.env`. */
export interface AppConfig {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  readonly llm: LlmConfig;
  readonly sessionTtlHours: number;
  readonly sessionCleanupIntervalMs: number;
  readonly wsMaxFrameBytes: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');
