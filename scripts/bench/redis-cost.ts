/**
 * `npm run bench -- --redis`: what running with REDIS_URL costs one instance (issue 11, target ≤ 1.5×
 * CPU per turn). Two built services on PostgreSQL, each on a fresh database of its own, one with
 * REDIS_URL (run lease, shared stream, Redis fan-out and cancel routing) and one without; the same
 * protocol-2 turns (50 streamed tokens each) in alternating rounds, server CPU time per turn of each.
 */
import { join } from 'node:path';
import { createClient } from 'redis';
import { createPostgresDatabase } from '../../test/utils/test-database';
import { benchServiceEnv, freePort, ROOT, ServerProcess } from './processes';
import { ratio, round } from './stats';
import { runStreamRound } from './ws-load';

/** The admin database new databases are made from, and the Redis db the bench flushes and uses. */
const ADMIN_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/13';

export interface RedisCostPlan {
  readonly rounds: number;
  readonly sockets: number;
  readonly turnsPerSocket: number;
  readonly tokens: number;
}

export interface RedisCostFigures {
  readonly turns: number;
  readonly withoutRedisCpuMsPerTurn: number;
  readonly withRedisCpuMsPerTurn: number;
  /** with / without: the target is ≤ 1.5. */
  readonly ratio: number;
  readonly withoutRedisTurnsPerSec: number;
  readonly withRedisTurnsPerSec: number;
}

export async function measureRedisCost(plan: RedisCostPlan, dir: string, log: (line: string) => void): Promise<RedisCostFigures> {
  await flushRedis();
  const databases = [await createPostgresDatabase('codelab_bench', ADMIN_URL), await createPostgresDatabase('codelab_bench', ADMIN_URL)];
  const [plainDb, redisDb] = databases.map((db) => db.url) as [string, string];
  const services: ServerProcess[] = [];
  try {
    const start = async (label: string, databaseUrl: string, redisUrl?: string): Promise<ServerProcess> => {
      const service = new ServerProcess({
        name: `service (${label})`,
        args: [join(ROOT, 'dist', 'main.js')],
        env: {
          DATABASE_URL: databaseUrl,
          ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
          ...benchServiceEnv(plan.tokens),
        },
        port: await freePort(),
        logFile: join(dir, `service-${label}.log`),
      });
      services.push(service);
      await service.waitHealthy(120_000);
      return service;
    };
    const plain = await start('postgres', plainDb);
    const shared = await start('postgres+redis', redisDb, REDIS_URL);
    const round_ = async (service: ServerProcess, name: string, r: number): Promise<{ cpu: number; turnsPerSec: number }> => {
      const before = service.cpuSeconds();
      const figures = await runStreamRound({
        port: service.spec.port,
        protocol: 2,
        sockets: plan.sockets,
        turns: plan.turnsPerSocket,
        tokens: plan.tokens,
        sessionPrefix: `bench-redis-${name}-${r}`,
        timeoutMs: 300_000,
      });
      if (figures.errors > 0) throw new Error(`${name}: ${figures.errors} turn(s) ended with an error`);
      return { cpu: service.cpuSeconds() - before, turnsPerSec: figures.turnsPerSec };
    };
    log(`  warm-up (${plan.sockets} sockets on each)…`);
    await round_(plain, 'warm-plain', 0);
    await round_(shared, 'warm-redis', 0);
    const without: { cpu: number; turnsPerSec: number }[] = [];
    const withRedis: { cpu: number; turnsPerSec: number }[] = [];
    for (let r = 1; r <= plan.rounds; r++) {
      // Alternate which goes first, so that neither always runs right after the other's burst.
      if (r % 2) {
        without.push(await round_(plain, 'plain', r));
        withRedis.push(await round_(shared, 'redis', r));
      } else {
        withRedis.push(await round_(shared, 'redis', r));
        without.push(await round_(plain, 'plain', r));
      }
      log(`  round ${r}/${plan.rounds}: CPU ${round(without.at(-1)?.cpu ?? 0)} s without, ${round(withRedis.at(-1)?.cpu ?? 0)} s with REDIS_URL`);
    }
    const turns = plan.rounds * plan.sockets * plan.turnsPerSocket;
    const perTurn = (xs: readonly { cpu: number }[]): number => round((xs.reduce((a, x) => a + x.cpu, 0) * 1000) / turns);
    const rate = (xs: readonly { turnsPerSec: number }[]): number => Math.round(xs.reduce((a, x) => a + x.turnsPerSec, 0) / xs.length);
    const withoutRedisCpuMsPerTurn = perTurn(without);
    const withRedisCpuMsPerTurn = perTurn(withRedis);
    return {
      turns,
      withoutRedisCpuMsPerTurn,
      withRedisCpuMsPerTurn,
      ratio: ratio(withRedisCpuMsPerTurn, withoutRedisCpuMsPerTurn),
      withoutRedisTurnsPerSec: rate(without),
      withRedisTurnsPerSec: rate(withRedis),
    };
  } finally {
    await Promise.all(services.map((s) => s.stop()));
    for (const db of databases) await db.drop();
    await flushRedis();
  }
}

async function flushRedis(): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.flushDb();
  } finally {
    await client.close();
  }
}
