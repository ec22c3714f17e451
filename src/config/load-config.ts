import { AppConfig, LlmProviderName } from './app-config';
import { ConfigValidationError } from './config-validation.error';
import { DEFAULT_DATABASE_URL, parseDatabaseUrl } from './database-url';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every variable the service understands. Collects all problems before
 * failing, so one start-up attempt tells the operator everything that is wrong.
 */
export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];
  const reader = new EnvReader(env, problems);

  const port = reader.int('PORT', 8000, 0, 65535);
  const host = reader.string('HOST', '127.0.0.1');
  const databaseUrl = reader.string('DATABASE_URL', DEFAULT_DATABASE_URL);
  const database = parseDatabaseUrl(databaseUrl);
  if (database === null) {
    problems.push(
      `DATABASE_URL must be sqlite:<path>, sqlite::memory: or postgres://user:pass@host:port/db (got "${databaseUrl}")`,
    );
  }
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
  };
  const sessionTtlHours = reader.number('SESSION_TTL_HOURS', 0, 0);
  const cleanupMinutes = reader.number('SESSION_CLEANUP_INTERVAL_MINUTES', 60, 0.001);
  const wsMaxFrameBytes = reader.int('WS_MAX_FRAME_BYTES', 1024 * 1024, 1024, 64 * 1024 * 1024);

  if (problems.length > 0 || database === null) {
    throw new ConfigValidationError(problems);
  }
  return {
    port,
    host,
    database,
    llm,
    sessionTtlHours,
    sessionCleanupIntervalMs: Math.round(cleanupMinutes * 60_000),
    wsMaxFrameBytes,
  };
}

class EnvReader {
  constructor(
    private readonly env: Env,
    private readonly problems: string[],
  ) {}

  private raw(name: string): string | undefined {
    const value = this.env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  }

  string(name: string, fallback: string): string {
    return this.raw(name) ?? fallback;
  }

  optionalString(name: string): string | undefined {
    return this.raw(name);
  }

  optionalUrl(name: string): string | undefined {
    const value = this.raw(name);
    if (value === undefined) return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'http:' || url.protocol === 'https:') return value.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this.problems.push(`${name} must be an http(s) URL (got "${value}")`);
    return undefined;
  }

  number(name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min || parsed > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `between ${min} and ${max}`;
      this.problems.push(`${name} must be a number ${range} (got "${value}")`);
      return fallback;
    }
    return parsed;
  }

  int(name: string, fallback: number, min: number, max: number): number {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if (!/^-?\d+$/.test(value) || Number(value) < min || Number(value) > max) {
      this.problems.push(`${name} must be an integer between ${min} and ${max} (got "${value}")`);
      return fallback;
    }
    return Number(value);
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.raw(name);
    if (value === undefined) return fallback;
    if ((allowed as readonly string[]).includes(value)) return value as T;
    this.problems.push(`${name} must be one of ${allowed.join(', ')} (got "${value}")`);
    return fallback;
  }
}
