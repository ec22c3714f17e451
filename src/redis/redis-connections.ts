import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { createClient, RedisClientType } from 'redis';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { probe, ProbeResult } from '../health/probe';
import { redactedRedisUrl, redisErrorCode } from './redis-url-redaction';

/** How long bootstrap waits for the first connection before it goes on (the client keeps trying). */
const FIRST_CONNECT_WAIT_MS = 5_000;
/** Reconnect backoff: 100 ms doubling up to 3 s, with up to 100 ms of jitter; never gives up. */
export function reconnectDelayMs(retries: number): number {
  return Math.min(100 * 2 ** Math.min(retries, 10), 3_000) + Math.floor(Math.random() * 100);
}

/**
 * The service's connections to Redis (node-redis 5; REDIS_URL). `client()` is the shared command
 * connection; `duplicate()` opens a dedicated one (a subscriber, a blocking read) that is closed at
 * shutdown. Commands fail at once while Redis is unreachable (no offline queue): callers decide what a
 * failure means, nothing waits forever. Without REDIS_URL `enabled` is false and nothing connects.
 * Logs name the host, port and db only, never the URL's user or password.
 */
@Injectable()
export class RedisConnections implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(RedisConnections.name);
  private readonly url: string | null;
  private shared: RedisClientType | undefined;
  private readonly dedicated = new Set<RedisClientType>();
  private closing = false;
  /** This process among the instances (random per start): owner of its per-instance keys. */
  readonly instanceId: string = randomUUID();

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.url = config.redis?.url ?? null;
    // Created here, connected in onModuleInit: other providers may take client() in their constructors.
    if (this.url !== null) this.shared = this.open('commands');
  }

  get enabled(): boolean {
    return this.url !== null;
  }

  async onModuleInit(): Promise<void> {
    const client = this.shared;
    if (this.url === null || client === undefined) return;
    const connected = client.connect().then(
      () => true,
      () => false,
    );
    const timer = new AbortController();
    const first = await Promise.race([connected, sleep(FIRST_CONNECT_WAIT_MS, false, { signal: timer.signal }).catch(() => false)]);
    timer.abort();
    if (!first) this.logger.warn(`Redis at ${redactedRedisUrl(this.url)} not reachable yet; reconnecting in the background`);
  }

  /**
   * The shared command connection (connected once bootstrap is done; fails fast while Redis is down).
   * Throws when REDIS_URL is not set.
   */
  client(): RedisClientType {
    if (this.shared === undefined) throw new Error('Redis is not configured (REDIS_URL is not set)');
    return this.shared;
  }

  /** A dedicated connection for `purpose` (named in logs), connected; closed at shutdown. */
  async duplicate(purpose: string): Promise<RedisClientType> {
    if (this.url === null) throw new Error('Redis is not configured (REDIS_URL is not set)');
    const client = this.open(purpose);
    this.dedicated.add(client);
    await client.connect();
    return client;
  }

  /** `codelab:` + the parts joined with `:`; every key the service writes goes through here. */
  key(...parts: string[]): string {
    return ['codelab', ...parts].join(':');
  }

  /** Whether Redis answers PING within `timeoutMs`; the reason when it does not. */
  async ping(timeoutMs: number): Promise<ProbeResult> {
    const client = this.shared;
    if (client === undefined) return { up: false, reason: 'not configured' };
    if (!client.isReady) return { up: false, reason: 'not connected' };
    return probe(() => client.ping(), timeoutMs, redisErrorCode);
  }

  async onApplicationShutdown(): Promise<void> {
    this.closing = true;
    const clients = [...this.dedicated, ...(this.shared ? [this.shared] : [])];
    this.dedicated.clear();
    this.shared = undefined;
    await Promise.all(clients.map((client) => closeQuietly(client)));
  }

  private open(purpose: string): RedisClientType {
    const url = this.url;
    if (url === null) throw new Error('Redis is not configured (REDIS_URL is not set)');
    const client: RedisClientType = createClient({
      url,
      disableOfflineQueue: true,
      socket: { connectTimeout: 5_000, reconnectStrategy: reconnectDelayMs },
    });
    const where = redactedRedisUrl(url);
    let down = false;
    client.on('error', (error: unknown) => {
      if (down || this.closing) return;
      down = true;
      this.logger.warn(`Redis ${purpose} connection to ${where} failed (${redisErrorCode(error)}); reconnecting`);
    });
    client.on('ready', () => {
      if (down) this.logger.log(`Redis ${purpose} connection to ${where} is back`);
      down = false;
    });
    return client;
  }
}

async function closeQuietly(client: RedisClientType): Promise<void> {
  try {
    if (client.isOpen) await client.close();
    else client.destroy();
  } catch {
    client.destroy();
  }
}
