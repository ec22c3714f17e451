import { setTimeout as sleep } from 'node:timers/promises';
import { RedisSessionLease } from '../../src/cluster/redis-session-lease';
import { connectTestRedis, TestRedis } from './redis-testing';

describe('RedisSessionLease (real Redis)', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await connectTestRedis();
  });
  afterEach(() => redis.close());

  it('grants one holder at a time across instances; a waiter is woken by the release', async () => {
    const a = new RedisSessionLease(redis.asInstance(), 5_000);
    const b = new RedisSessionLease(redis.asInstance(), 5_000);
    const first = await a.acquire('s', new AbortController().signal);
    expect(first.orphaned).toBe(false);
    expect(await b.isHeld('s')).toBe(true);
    let granted = false;
    const second = b.acquire('s', new AbortController().signal).then((held) => {
      granted = true;
      return held;
    });
    await sleep(200);
    expect(granted).toBe(false);
    await first.release(0);
    const held = await second;
    expect(held.orphaned).toBe(false);
    await held.release(0);
    expect(await a.isHeld('s')).toBe(false);
  });

  it('runs every waiter exactly once, one at a time, when many instances compete', async () => {
    const leases = Array.from({ length: 4 }, () => new RedisSessionLease(redis.asInstance(), 5_000));
    let inside = 0;
    let maxInside = 0;
    let runs = 0;
    await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const held = await (leases[i % 4] as RedisSessionLease).acquire('busy', new AbortController().signal);
        inside += 1;
        maxInside = Math.max(maxInside, inside);
        await sleep(2);
        runs += 1;
        inside -= 1;
        await held.release(0);
      }),
    );
    expect(maxInside).toBe(1);
    expect(runs).toBe(20);
  });

  it('a holder that stops renewing (its instance died) loses the lease when it expires; the next holder is told to take over', async () => {
    // A lease far longer than the test: its holder never renews here, like a killed instance; deleting the key is its expiry.
    const dead = new RedisSessionLease(redis.asInstance(), 600_000);
    await dead.acquire('s', new AbortController().signal);
    await redis.client().del(redis.key('lease', 's'));
    const next = new RedisSessionLease(redis.asInstance(), 1_000);
    expect(await next.orphans()).toEqual(['s']);
    const held = await next.acquire('s', new AbortController().signal);
    expect(held.orphaned).toBe(true);
    await held.release(0);
    expect(await next.orphans()).toEqual([]);
  });

  it('keeps the lease alive by renewing it while the turn runs longer than the lease', async () => {
    const a = new RedisSessionLease(redis.asInstance(), 1_000);
    const held = await a.acquire('long', new AbortController().signal);
    await sleep(1_600);
    expect(await a.isHeld('long')).toBe(true);
    await held.release(0);
    expect(await a.isHeld('long')).toBe(false);
  });

  it('stops waiting when the frame is cancelled', async () => {
    const a = new RedisSessionLease(redis.asInstance(), 5_000);
    const held = await a.acquire('s', new AbortController().signal);
    const stop = new AbortController();
    const waiting = new RedisSessionLease(redis.asInstance(), 5_000).acquire('s', stop.signal);
    await sleep(50);
    stop.abort('cancelled');
    await expect(waiting).rejects.toBe('cancelled');
    await held.release(0);
  });

  it('a release by a holder whose lease was taken over changes nothing', async () => {
    const a = new RedisSessionLease(redis.asInstance(), 600_000);
    const stale = await a.acquire('s', new AbortController().signal);
    await redis.client().del(redis.key('lease', 's'));
    const b = new RedisSessionLease(redis.asInstance(), 5_000);
    const current = await b.acquire('s', new AbortController().signal);
    await stale.release(0);
    expect(await b.isHeld('s')).toBe(true);
    await current.release(0);
    expect(await b.isHeld('s')).toBe(false);
    expect(await b.orphans()).toEqual([]);
  });
});
