import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from 'pg';

/** A database for one test file: a temporary SQLite file, or (TEST_DATABASE=postgres) a fresh PostgreSQL database. */
export interface TestDatabase {
  readonly url: string;
  readonly sqlitePath: string | undefined;
  drop(): Promise<void>;
}

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createTestDatabase(): Promise<TestDatabase> {
  if (process.env.TEST_DATABASE === 'postgres') return createPostgresDatabase('codelab_test');
  const dir = mkdtempSync(join(tmpdir(), 'codelab-test-'));
  const sqlitePath = join(dir, 'nested', 'agent_runtime.db');
  return {
    url: `sqlite:${sqlitePath}`,
    sqlitePath,
    drop: () => {
      rmSync(dir, { recursive: true, force: true });
      return Promise.resolve();
    },
  };
}

/**
 * A fresh PostgreSQL database `<prefix>_<random>` on the server of `adminUrl` (default TEST_POSTGRES_URL's);
 * `drop()` removes it.
 */
export async function createPostgresDatabase(prefix: string, adminUrl = ADMIN_URL): Promise<TestDatabase> {
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    sqlitePath: undefined,
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

async function adminQuery(adminUrl: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}
