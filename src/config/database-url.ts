import { DatabaseConfig } from './app-config';

export const DEFAULT_DATABASE_URL = 'sqlite:data/agent_runtime.db';

/**
 * Parses `DATABASE_URL`: `sqlite:<path>`, `sqlite::memory:` or `postgres://…` / `postgresql://…`.
 * Returns `null` for anything else so that the caller can report it with the other bad variables.
 */
export function parseDatabaseUrl(raw: string): DatabaseConfig | null {
  if (raw.startsWith('sqlite:')) {
    const path = raw.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    return path.length > 0 ? { type: 'sqlite', path } : null;
  }
  if (/^postgres(ql)?:\/\/[^/]+\/[^/?#]+/.test(raw)) {
    return { type: 'postgres', url: raw };
  }
  return null;
}
