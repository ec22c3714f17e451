import { randomUUID } from 'node:crypto';
import { createClient, RedisClientType } from 'redis';
import type { RedisConnections } from '../../src/redis/redis-connections';
import { TEST_REDIS_URL } from './cluster-harness';

export type TestRedis = Pick<RedisConnections, 'client' | 'duplicate' | 'key' | 'instanceId'> & {
  /** The same connections seen from another instance (an instance id of its own). */
  asInstance(): TestRedis;
  /** Closes every connection it opened. */
  close(): Promise<void>;
};

/**
 * Connections like RedisConnections', for testing the Redis classes directly: keys get a prefix of
 * their own (so that tests sharing the db index never meet); `close` deletes them and closes every connection.
 */
export async function connectTestRedis(url = TEST_REDIS_URL): Promise<TestRedis> {
  const prefix = `codelab:test-${randomUUID().slice(0, 8)}`;
  const opened: RedisClientType[] = [];
  const open = async (): Promise<RedisClientType> => {
    const client: RedisClientType = createClient({ url, socket: { reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, 500) } });
    client.on('error', () => undefined); // reconnects by itself; tests look at outcomes
    opened.push(client);
    await client.connect();
    return client;
  };
  const main = await open();
  const redis: TestRedis = {
    instanceId: randomUUID(),
    asInstance: () => ({ ...redis, instanceId: randomUUID() }),
    client: () => main,
    duplicate: () => open(),
    key: (...parts: string[]) => [prefix, ...parts].join(':'),
    close: async () => {
      // Leave nothing behind in the shared test db: every key of this prefix goes.
      for await (const keys of main.scanIterator({ MATCH: `${prefix}:*`, COUNT: 500 })) if (keys.length > 0) await main.del(keys);
      await Promise.all(opened.map((c) => c.close().catch(() => undefined)));
    },
  };
  return redis;
}
