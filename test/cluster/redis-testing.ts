import { randomUUID } from 'node:crypto';
import { createClient, RedisClientType } from 'redis';
import type { RedisConnections } from '../../src/redis/redis-connections';
import { TEST_REDIS_URL } from './cluster-harness';

export type TestRedis = Pick<RedisConnections, 'client' | 'duplicate' | 'key'> & {
  /** Closes every connection it opened. */
  close(): Promise<void>;
};

/**
 * Connections like RedisConnections', for testing the Redis classes directly: keys get a prefix of
 * their own (so that test files sharing the db index never meet), dedicated connections are closed by `close`.
 */
export async function connectTestRedis(url = TEST_REDIS_URL): Promise<TestRedis> {
  const prefix = `codelab-test-${randomUUID().slice(0, 8)}`;
  const opened: RedisClientType[] = [];
  const open = async (): Promise<RedisClientType> => {
    const client: RedisClientType = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500) } });
    client.on('error', () => undefined); // reconnects by itself; tests look at outcomes
    opened.push(client);
    await client.connect();
    return client;
  };
  const main = await open();
  return {
    client: () => main,
    duplicate: () => open(),
    key: (...parts: string[]) => [prefix, ...parts].join(':'),
    close: async () => {
      await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    },
  };
}
