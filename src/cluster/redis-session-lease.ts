import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode } from '../common/domain.error';
import type { RedisClientType } from 'redis';
import type { RedisConnections } from '../redis/redis-connections';
import { RedisScript } from './redis-script';
import type { HeldLease, SessionLease } from './session-lease';

/** A waiter that missed its wake-up (or whose holder died) tries again after this long, doubling up to the maximum. */
const RETRY_MIN_MS = 25;
const RETRY_MAX_MS = 500;
/**
 * After Redis was unreachable (it may have restarted and forgotten every lease), a waiter gives the
 * holders this long to take their leases back before it competes.
 */
const REASSERT_GRACE_MS = 1_000;
/**
 * How long a frame waits for an unreachable Redis before it is answered with an error (the turn cannot
 * be coordinated with other instances; nothing of it ran or was stored).
 */
const UNREACHABLE_GIVE_UP_MS = 3_000;
/** How long the counter a holder leaves is kept (afterwards the next holder reads the database's). */
const COUNTER_TTL_MS = 24 * 3_600_000;

type Keys = Pick<RedisConnections, 'key'>;

/** The seq of the last frame the session's last lease holder numbered (written when it releases). */
export const sessionCounterKey = (redis: Keys, sessionId: string): string => redis.key('seq', sessionId);

/**
 * KEYS: lease, run marker, set of running sessions. ARGV: token, lease ms, session id.
 * The run marker outlives an expired lease: finding one left means the last holder died.
 */
const ACQUIRE = new RedisScript(`
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, ''} end
local orphan = redis.call('GET', KEYS[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return {1, orphan or ''}
`);

/**
 * KEYS: lease, run marker, set of running sessions. ARGV: token, lease ms, session id.
 * 1 renewed; 2 taken back (Redis restarted and lost it: the run marker is set again too); 0 someone else holds it.
 */
const RENEW = new RedisScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if holder then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
return 2
`);

/**
 * KEYS: lease, run marker, set of running sessions, counter, wake-up channel. ARGV: token, session id,
 * last seq (-1: unknown, the counter is dropped and the next holder reads the database's), counter ttl.
 * Compare-and-delete: a holder whose lease was taken over changes nothing.
 */
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
  if tonumber(ARGV[3]) >= 0 then redis.call('SET', KEYS[4], ARGV[3], 'PX', ARGV[4]) else redis.call('DEL', KEYS[4]) end
end
redis.call('PUBLISH', KEYS[5], '1')
return 1
`);

/**
 * The run lease in Redis: `SET NX PX RUN_LEASE_MS` with an owner token, renewed every third of the
 * lease while the turn runs (and at once when the connection comes back: a restarted Redis forgot it),
 * released with a compare-and-delete script that also stores the last seq the holder numbered. Waiters
 * are woken over pub/sub, with a retry fallback. An instance that dies stops renewing: its lease
 * expires within RUN_LEASE_MS and its run marker tells the next holder to close the turn it left.
 */
export class RedisSessionLease implements SessionLease {
  readonly shared = true;
  private readonly logger = new Logger(RedisSessionLease.name);
  private tokens = 0;
  private subscriber: Promise<RedisClientType> | undefined;
  /** Wake-up listeners per session, while this instance waits for its lease. */
  private readonly waiters = new Map<string, Set<() => void>>();
  /** Leases this instance holds: token → session. */
  private readonly holding = new Map<string, string>();
  private watchingReconnects = false;

  constructor(
    private readonly redis: Pick<RedisConnections, 'client' | 'duplicate' | 'key' | 'instanceId'>,
    private readonly leaseMs: number,
  ) {}

  async acquire(sessionId: string, signal: AbortSignal): Promise<HeldLease> {
    const token = `${this.redis.instanceId}:${++this.tokens}`;
    let retryMs = RETRY_MIN_MS;
    let stopWaiting: (() => Promise<void>) | undefined;
    let unreachableSince: number | undefined;
    try {
      for (;;) {
        signal.throwIfAborted();
        const woken = stopWaiting ? this.nextWakeUp(sessionId, retryMs, signal) : undefined;
        let attempt: [number, string];
        try {
          if (unreachableSince !== undefined) {
            await this.redis.client().ping();
            await sleep(REASSERT_GRACE_MS, undefined, { signal });
          }
          attempt = (await ACQUIRE.run(this.redis.client(), this.keys(sessionId).slice(0, 3), [token, this.leaseMs, sessionId])) as [number, string];
          unreachableSince = undefined;
        } catch (error) {
          signal.throwIfAborted();
          // Redis is restarting (commands fail at once): wait for it, for a short while.
          unreachableSince ??= Date.now();
          if (Date.now() - unreachableSince > UNREACHABLE_GIVE_UP_MS) {
            this.logger.warn(`session=${sessionId} Redis unreachable: frame refused (${(error as Error).message})`);
            throw new DomainError(DomainErrorCode.Unavailable, 'The service cannot reach Redis to coordinate this session; send this again in a moment');
          }
          this.logger.warn(`session=${sessionId} waiting for Redis to take the run lease: ${(error as Error).message}`);
          await sleep(RETRY_MAX_MS, undefined, { signal }).catch(() => undefined);
          continue;
        }
        const [granted, orphan] = attempt;
        if (granted === 1) {
          if (orphan !== '') this.logger.warn(`session=${sessionId} its last holder died holding the lease: taking the turn over`);
          return this.held(sessionId, token, orphan !== '');
        }
        // Listen before the next attempt, so that a release in between is not missed.
        if (!stopWaiting) {
          stopWaiting = await this.listen(sessionId);
          continue;
        }
        await woken;
        retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
      }
    } finally {
      await stopWaiting?.();
    }
  }

  async isHeld(sessionId: string): Promise<boolean> {
    return (await this.redis.client().exists(this.leaseKey(sessionId))) === 1;
  }

  async orphans(): Promise<string[]> {
    const client = this.redis.client();
    const running = await client.sMembers(this.redis.key('runs'));
    const held = await Promise.all(running.map((id) => client.exists(this.leaseKey(id))));
    return running.filter((_, i) => held[i] === 0);
  }

  private held(sessionId: string, token: string, orphaned: boolean): HeldLease {
    this.holding.set(token, sessionId);
    this.watchReconnects();
    const renew = setInterval(() => void this.renew(sessionId, token), Math.max(1, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released = false;
    return {
      orphaned,
      release: async (lastSeq: number): Promise<void> => {
        if (released) return;
        released = true;
        clearInterval(renew);
        this.holding.delete(token);
        // Redis restarting: try again for as long as the lease would last anyway.
        const giveUpAt = Date.now() + this.leaseMs;
        for (;;) {
          try {
            await RELEASE.run(this.redis.client(), this.keys(sessionId), [token, sessionId, lastSeq, COUNTER_TTL_MS]);
            return;
          } catch (error) {
            if (Date.now() > giveUpAt) {
              this.logger.error(`session=${sessionId} could not release the run lease (it expires by itself): ${(error as Error).message}`);
              return;
            }
            await sleep(RETRY_MAX_MS);
          }
        }
      },
    };
  }

  private async renew(sessionId: string, token: string): Promise<void> {
    try {
      const result = await RENEW.run(this.redis.client(), this.keys(sessionId).slice(0, 3), [token, this.leaseMs, sessionId]);
      if (result === 0) this.logger.error(`session=${sessionId} lost its run lease to another instance while running a turn`);
      if (result === 2) this.logger.warn(`session=${sessionId} run lease was gone (Redis restarted?): taken back`);
    } catch (error) {
      this.logger.warn(`session=${sessionId} could not renew the run lease: ${(error as Error).message}`);
    }
  }

  /** When the command connection comes back, every lease held here is renewed at once (taken back if Redis lost it). */
  private watchReconnects(): void {
    if (this.watchingReconnects) return;
    this.watchingReconnects = true;
    this.redis.client().on('ready', () => {
      for (const [token, sessionId] of this.holding) void this.renew(sessionId, token);
    });
  }

  /** Resolves on the session's next wake-up message, after `ms`, or when the signal aborts. */
  private nextWakeUp(sessionId: string, ms: number, signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const listeners = this.waiters.get(sessionId);
      const done = (): void => {
        clearTimeout(timer);
        listeners?.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      listeners?.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Subscribes to the session's wake-up channel; returns how to unsubscribe. */
  private async listen(sessionId: string): Promise<() => Promise<void>> {
    const subscriber = await (this.subscriber ??= this.redis.duplicate('lease wake-ups'));
    const channel = this.wakeChannel(sessionId);
    if (!this.waiters.has(sessionId)) {
      this.waiters.set(sessionId, new Set());
      await subscriber.subscribe(channel, () => this.waiters.get(sessionId)?.forEach((wake) => wake()));
    }
    return async () => {
      if ((this.waiters.get(sessionId)?.size ?? 0) > 0) return;
      this.waiters.delete(sessionId);
      await subscriber.unsubscribe(channel).catch(() => undefined);
    };
  }

  /** lease, run marker, set of running sessions, counter, wake-up channel. */
  private keys(sessionId: string): string[] {
    return [this.leaseKey(sessionId), this.redis.key('run', sessionId), this.redis.key('runs'), sessionCounterKey(this.redis, sessionId), this.wakeChannel(sessionId)];
  }

  private leaseKey(sessionId: string): string {
    return this.redis.key('lease', sessionId);
  }

  private wakeChannel(sessionId: string): string {
    return this.redis.key('lease-free', sessionId);
  }
}
