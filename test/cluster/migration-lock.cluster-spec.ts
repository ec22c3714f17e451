import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { MIGRATIONS } from '../../src/database/migrations';
import { initializeWithMigrations } from '../../src/database/migration-lock';

const ADMIN_URL = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

async function admin(sql: string): Promise<void> {
  const client = new Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('migrations at start-up on a shared PostgreSQL database', () => {
  const name = `codelab_migrlock_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const sources: DataSource[] = [];

  beforeAll(() => admin(`CREATE DATABASE ${name}`));

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy().catch(() => undefined)));
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });

  it('four instances migrating at once all start, and every migration ran exactly once', async () => {
    const options = { ...buildDataSourceOptions({ type: 'postgres', url: url.toString() }), logging: false };
    const started = await Promise.allSettled([1, 2, 3, 4].map(() => initializeWithMigrations(options)));
    for (const result of started) if (result.status === 'fulfilled') sources.push(result.value);
    expect(started.map((result) => result.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const [source] = sources;
    const rows = (await source?.query('SELECT name, count(*)::int AS times FROM migrations GROUP BY name')) as { times: number }[];
    expect(rows).toHaveLength(MIGRATIONS.length);
    expect(rows.every((row) => row.times === 1)).toBe(true);
  });
});
