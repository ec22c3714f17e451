import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { parseDatabaseUrl, DEFAULT_DATABASE_URL } from './src/config/database-url';
import { buildDataSourceOptions } from './src/database/data-source-options';
import { AUTH_ENTITIES } from './src/auth/entities';
import { SESSION_ENTITIES } from './src/session/entities';
import { RemoteAgentEntity } from './src/agent-runtime/agents/remote/remote-agent.entity';

/**
 * The DataSource the TypeORM CLI uses (`npm run migration:run`, `migration:generate`, `migration:revert`).
 * It reads the same DATABASE_URL as the service.
 */
const url = process.env.DATABASE_URL ?? DEFAULT_DATABASE_URL;
const db = parseDatabaseUrl(url);
if (db === null) {
  throw new Error(`DATABASE_URL is not a supported URL: ${url}`);
}

export default new DataSource(buildDataSourceOptions(db, [...SESSION_ENTITIES, ...AUTH_ENTITIES, RemoteAgentEntity]));
