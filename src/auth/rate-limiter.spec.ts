import { loadConfig } from '../config/load-config';
import { RedisConnections } from '../redis/redis-connections';
import { RateLimiters, retrySeconds } from './rate-limiter';

describe(RateLimiters.name, () => {
  const limiters = new RateLimiters(new RedisConnections(loadConfig({})));

  afterEach(() => {
    jest.useRealTimers();
  });

  it('allows a burst of the per-minute figure, then says how long until the minute is over', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = limiters.perMinute('test', 3);
    expect(await Promise.all([sut.take('u'), sut.take('u'), sut.take('u')])).toEqual([0, 0, 0]);
    const wait = await sut.take('u');
    expect(wait).toBeGreaterThan(59_000);
    expect(wait).toBeLessThanOrEqual(60_000);
    expect(await sut.take('other')).toBe(0);
  });

  it('allows the key again once its minute is over, and not before', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    const sut = limiters.perMinute('test', 2);
    await sut.take('u');
    await sut.take('u');
    jest.advanceTimersByTime(30_000);
    const wait = await sut.take('u');
    expect(wait).toBeGreaterThan(29_000);
    expect(wait).toBeLessThanOrEqual(30_000);
    jest.advanceTimersByTime(30_001);
    expect(await sut.take('u')).toBe(0);
  });

  it('keeps limits of different names apart', async () => {
    const first = limiters.perMinute('one', 1);
    const second = limiters.perMinute('two', 1);
    expect(await first.take('u')).toBe(0);
    expect(await second.take('u')).toBe(0);
    expect(await first.take('u')).toBeGreaterThan(0);
  });
});

describe(retrySeconds.name, () => {
  it('rounds up to whole seconds, at least one', () => {
    expect(retrySeconds(1)).toBe(1);
    expect(retrySeconds(1000)).toBe(1);
    expect(retrySeconds(1001)).toBe(2);
    expect(retrySeconds(59_500)).toBe(60);
  });
});
