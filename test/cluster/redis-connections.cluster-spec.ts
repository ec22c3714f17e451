import { loadConfig } from '../../src/config/load-config';
import { RedisConnections } from '../../src/redis/redis-connections';
import { flushRedis, TEST_REDIS_URL } from './cluster-harness';

describe('RedisConnections against the real Redis', () => {
  let redis: RedisConnections;

  beforeAll(async () => {
    await flushRedis(TEST_REDIS_URL);
    redis = new RedisConnections(loadConfig({ DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/unused', REDIS_URL: TEST_REDIS_URL }));
    await redis.onModuleInit();
  });

  afterAll(async () => {
    await redis.onApplicationShutdown();
    await flushRedis(TEST_REDIS_URL);
  });

  it('connects at start and runs commands on the db of REDIS_URL', async () => {
    expect(redis.enabled).toBe(true);
    expect(redis.client().isReady).toBe(true);
    await redis.client().set(redis.key('probe'), 'one');
    expect(await redis.client().get('codelab:probe')).toBe('one');
    await expect(redis.ping(1000)).resolves.toEqual({ up: true });
  });

  it('opens dedicated connections (a subscriber here) and closes every connection at shutdown', async () => {
    const subscriber = await redis.duplicate('subscriber');
    const received = new Promise<string>((resolve) => {
      void subscriber.subscribe(redis.key('channel'), (message) => resolve(message));
    });
    // SUBSCRIBE is acknowledged before the promise of subscribe() resolves; publish until it is heard.
    let heard: string | undefined;
    void received.then((message) => (heard = message));
    for (let attempt = 0; attempt < 50 && heard === undefined; attempt += 1) {
      await redis.client().publish(redis.key('channel'), 'hello');
      await new Promise((done) => setTimeout(done, 20));
    }
    expect(await received).toBe('hello');

    const shared = redis.client();
    await redis.onApplicationShutdown();
    expect(subscriber.isOpen).toBe(false);
    expect(shared.isOpen).toBe(false);
    expect(() => redis.client()).toThrow(/not configured|not set/);
  });
});
