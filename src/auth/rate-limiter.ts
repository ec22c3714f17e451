import { Injectable } from '@nestjs/common';
import { RateLimiterAbstract, RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { RedisConnections } from '../redis/redis-connections';

/** One limit: so many requests a minute per key (a user, an address, a socket). */
export interface RateLimit {
  /** Counts one request of `key`: 0 when it is allowed, otherwise the ms until it would be. */
  take(key: string): Promise<number>;
}

const WINDOW_SECONDS = 60;

/**
 * Every rate limit of the service, on rate-limiter-flexible: `perMinute` requests of a key in a window
 * of one minute that starts with the key's first request (all of them at once if the client likes),
 * then refused until that minute is over. In process memory by default; with REDIS_URL the counters are
 * in Redis and shared by every instance. While Redis does not answer, each instance counts in its own
 * memory (the library's insurance limiter) rather than letting everything through or refusing all.
 */
@Injectable()
export class RateLimiters {
  constructor(private readonly redis: RedisConnections) {}

  /** `name` tells limits apart (it is part of the Redis key): one name per limit. */
  perMinute(name: string, perMinute: number): RateLimit {
    const memory = new RateLimiterMemory({ keyPrefix: name, points: perMinute, duration: WINDOW_SECONDS });
    const limiter: RateLimiterAbstract = this.redis.enabled
      ? new RateLimiterRedis({
          storeClient: this.redis.client(),
          useRedisPackage: true,
          rejectIfRedisNotReady: true,
          keyPrefix: this.redis.key('ratelimit', name),
          points: perMinute,
          duration: WINDOW_SECONDS,
          insuranceLimiter: memory,
        })
      : memory;
    return { take: (key) => consume(limiter, key) };
  }
}

async function consume(limiter: RateLimiterAbstract, key: string): Promise<number> {
  try {
    await limiter.consume(key);
    return 0;
  } catch (refusal) {
    if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
    throw refusal;
  }
}

/** Whole seconds to tell a refused client (Retry-After, "retry in n s"): at least 1. */
export function retrySeconds(waitMs: number): number {
  return Math.max(1, Math.ceil(waitMs / 1000));
}
