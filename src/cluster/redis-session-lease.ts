import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import type { RedisConnections } from '../redis/redis-connections';
import { RedisScript } from './redis-script';
import type { HeldLease, SessionLease } from './session-lease';

/** A waiter that missed its wake-up (or whose holder died) tries again after this long, doubling up to the maximum. */
const RETRY_MIN_MS = 25;
const RETRY_MAX_MS = 500;

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

/** KEYS: lease. ARGV: token, lease ms. 1 renewed, 2 taken back (Redis lost it), 0 someone else holds it. */
const RENEW = new RedisScript(`
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not holder then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 2 end
return 0
`);

/**
 * KEYS: lease, run marker, set of running sessions, wake-up channel. ARGV: token, session id.
 * Compare-and-delete: a holder whose lease was taken over changes nothing.
 */
const RELEASE = new RedisScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
if redis.call('GET', KEYS[2]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  redis.call('SREM', KEYS[3], ARGV[2])
end
redis.call('PUBLISH', KEYS[4], '1')
return 1
`);

/**
 * The run lease in Redis: `SET NX PX RUN_LEASE_MS` with an owner token, renewed every third of the
 * lease while the turn runs, released with a compare-and-delete script. Waiters are woken over pub/sub, with a retry fallback.
 * An instance that dies stops renewing: its lease expires within RUN_LEASE_MS and its run marker tells
 * the next holder to close the turn it left.
 */
export class RedisSessionLease implements SessionLease {
  readonly shared = true;
  private readonly logger = new Logger(RedisSessionLease.name);
  private readonly instance = randomUUID();
  private tokens = 0;
  private unreachableSince: number | undefined;
  private subscriber: Promise<RedisClientType> | undefined;
  /** Wake-up listeners per session, while this instance waits for its lease. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly redis: Pick<RedisConnections, 'client' | 'duplicate' | 'key'>,
    private readonly leaseMs: number,
  ) {}

  /** The set of sessions whose run marker is set (a turn runs, or its instance died running it). */
  get runningSetKey(): string {
    return this.redis.key('runs');
  }

  async acquire(sessionId: string, signal: AbortSignal): Promise<HeldLease> {
    const token = `${this.instance}:${++this.tokens}`;
    const keys = [this.leaseKey(sessionId), this.redis.key('run', sessionId), this.runningSetKey];
    let retryMs = RETRY_MIN_MS;
    let stopWaiting: (() => Promise<void>) | undefined;
    try {
      for (;;) {
        signal.throwIfAborted();
        const woken = stopWaiting ? this.nextWakeUp(sessionId, retryMs, signal) : undefined;
        const attempt = await this.tryAcquire(sessionId, keys, token, signal);
        if (attempt === null) continue; // Redis did not answer: tried again after a pause
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

  /**
   * One attempt; null when Redis did not answer (it is restarting: commands fail at once), after a pause.
   * Gives up once Redis has been unreachable for twice the lease.
   */
  private async tryAcquire(sessionId: string, keys: string[], token: string, signal: AbortSignal): Promise<[number, string] | null> {
    try {
      const result = (await ACQUIRE.run(this.redis.client(), keys, [token, this.leaseMs, sessionId])) as [number, string];
      this.unreachableSince = undefined;
      return result;
    } catch (error) {
      this.unreachableSince ??= Date.now();
      if (Date.now() - this.unreachableSince > 2 * this.leaseMs) throw error;
      this.logger.warn(`session=${sessionId} waiting for Redis to take the run lease: ${(error as Error).message}`);
      await sleep(RETRY_MAX_MS, undefined, { signal }).catch(() => undefined);
      return null;
    }
  }

  async isHeld(sessionId: string): Promise<boolean> {
    return (await this.redis.client().exists(this.leaseKey(sessionId))) === 1;
  }

  /** Sessions whose run marker is set but whose lease has expired: turns left by a dead instance. */
  async orphans(): Promise<string[]> {
    const client = this.redis.client();
    const running = await client.sMembers(this.runningSetKey);
    const held = await Promise.all(running.map((id) => client.exists(this.leaseKey(id))));
    return running.filter((_, i) => held[i] === 0);
  }

  private held(sessionId: string, token: string, orphaned: boolean): HeldLease {
    const renew = setInterval(() => {
      RENEW.run(this.redis.client(), [this.leaseKey(sessionId)], [token, this.leaseMs]).then(
        (result) => {
          if (result === 0) this.logger.error(`session=${sessionId} lost its run lease to another instance while running a turn`);
          if (result === 2) this.logger.warn(`session=${sessionId} run lease was gone (Redis restarted?): taken back`);
        },
        (error: Error) => this.logger.warn(`session=${sessionId} could not renew the run lease: ${error.message}`),
      );
    }, Math.max(1, Math.floor(this.leaseMs / 3)));
    renew.unref();
    let released = false;
    return {
      orphaned,
      release: async (): Promise<void> => {
        if (released) return;
        released = true;
        clearInterval(renew);
        const keys = [
          this.leaseKey(sessionId),
          this.redis.key('run', sessionId),
          this.runningSetKey,
          this.wakeChannel(sessionId),
        ];
        // Redis restarting: try again for as long as the lease would last anyway.
        const giveUpAt = Date.now() + this.leaseMs;
        for (;;) {
          try {
            await RELEASE.run(this.redis.client(), keys, [token, sessionId]);
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

  private leaseKey(sessionId: string): string {
    return this.redis.key('lease', sessionId);
  }

  private wakeChannel(sessionId: string): string {
    return this.redis.key('lease-free', sessionId);
  }
}
