import { loadConfig } from '../config/load-config';
import { reconnectDelayMs, RedisConnections } from './redis-connections';

describe(RedisConnections.name, () => {
  it('is disabled without REDIS_URL: connects nothing, and client() / duplicate() say why', async () => {
    const redis = new RedisConnections(loadConfig({}));
    await redis.onModuleInit();
    expect(redis.enabled).toBe(false);
    expect(() => redis.client()).toThrow(/REDIS_URL is not set/);
    await expect(redis.duplicate('subscriber')).rejects.toThrow(/REDIS_URL is not set/);
    await expect(redis.ping(100)).resolves.toEqual({ up: false, reason: 'not configured' });
    await redis.onApplicationShutdown();
  });

  it('prefixes every key with codelab:', () => {
    const redis = new RedisConnections(loadConfig({}));
    expect(redis.key('limits', 'ws', 'alice')).toBe('codelab:limits:ws:alice');
  });
});

describe(reconnectDelayMs.name, () => {
  it('backs off from about 100 ms to at most about 3 s and never gives up', () => {
    expect(reconnectDelayMs(0)).toBeGreaterThanOrEqual(100);
    expect(reconnectDelayMs(0)).toBeLessThan(200);
    expect(reconnectDelayMs(3)).toBeGreaterThanOrEqual(800);
    for (const retries of [5, 50, 10_000]) {
      expect(reconnectDelayMs(retries)).toBeGreaterThanOrEqual(3_000);
      expect(reconnectDelayMs(retries)).toBeLessThan(3_100);
    }
  });
});
