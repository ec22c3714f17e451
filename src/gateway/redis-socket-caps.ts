import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnections } from '../redis/redis-connections';
import { redisErrorCode } from '../redis/redis-url-redaction';
import { LocalSocketCounts, once, SocketCaps, SocketSlotRelease } from './socket-caps';

/**
 * With REDIS_URL: MAX_SOCKETS_PER_USER over every instance. Each instance keeps its count of a user's
 * sockets in its own key, `codelab:sockets:<user>:<instance>`, which expires after RUN_LEASE_MS unless the
 * instance renews it (every third of that), and lists itself in `codelab:sockets:<user>`. A user's total
 * is the sum of the keys that still exist, so a killed instance's sockets stop counting within
 * RUN_LEASE_MS. Admission counts first and checks after (its own count written, then the sum; over the
 * cap it gives the slot back): two instances admitting at once may both refuse, never both exceed the cap. While Redis
 * does not answer, each instance applies the cap to its own sockets.
 */
@Injectable()
export class RedisSocketCaps extends SocketCaps implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RedisSocketCaps.name);
  private readonly open = new LocalSocketCounts();
  private readonly cap: number;
  private readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;
  private redisFailing = false;

  constructor(
    private readonly redis: RedisConnections,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    super();
    this.cap = config.limits.socketsPerUser;
    this.ttlMs = config.cluster.runLeaseMs;
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.renew(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async acquire(userId: string): Promise<SocketSlotRelease | null> {
    this.open.add(userId, 1);
    const release = once(() => {
      const left = this.open.add(userId, -1);
      void this.write(userId, left);
    });
    let total: number;
    try {
      total = await this.countAfterIncrement(userId);
      this.noteRedis(undefined);
    } catch (error) {
      this.noteRedis(error);
      total = this.open.get(userId);
    }
    if (total > this.cap) {
      release();
      return null;
    }
    return release;
  }

  private async countAfterIncrement(userId: string): Promise<number> {
    const client = this.redis.client();
    const own = this.ownKey(userId);
    const members = this.membersKey(userId);
    await client
      .multi()
      .set(own, String(this.open.get(userId)), { expiration: { type: 'PX', value: this.ttlMs } })
      .sAdd(members, this.redis.instanceId)
      .pExpire(members, this.ttlMs)
      .exec();
    const instances = await client.sMembers(members);
    const counts = instances.length === 0 ? [] : await client.mGet(instances.map((instance) => this.ownKey(userId, instance)));
    const gone = instances.filter((_, index) => counts[index] === null);
    if (gone.length > 0) await client.sRem(members, gone);
    return counts.reduce((sum, count) => sum + (count === null ? 0 : Number(count)), 0);
  }

  /** Sets this instance's count of `userId` (deleting it at 0) and keeps it alive for RUN_LEASE_MS. */
  private async write(userId: string, count: number): Promise<void> {
    try {
      const client = this.redis.client();
      const own = this.ownKey(userId);
      if (count <= 0) {
        await client.multi().del(own).sRem(this.membersKey(userId), this.redis.instanceId).exec();
        return;
      }
      const members = this.membersKey(userId);
      await client
        .multi()
        .set(own, String(count), { expiration: { type: 'PX', value: this.ttlMs } })
        .sAdd(members, this.redis.instanceId)
        .pExpire(members, this.ttlMs)
        .exec();
    } catch (error) {
      this.noteRedis(error);
    }
  }

  /** Renews this instance's keys with its own counts (which also restores them after a Redis restart). */
  private async renew(): Promise<void> {
    await Promise.all([...this.open.users()].map(([userId, count]) => this.write(userId, count)));
  }

  private ownKey(userId: string, instanceId: string = this.redis.instanceId): string {
    return this.redis.key('sockets', userId, instanceId);
  }

  private membersKey(userId: string): string {
    return this.redis.key('sockets', userId);
  }

  /** One log line when Redis starts or stops failing for socket counts, not one per socket. */
  private noteRedis(error: unknown): void {
    if (error === undefined) {
      if (this.redisFailing) this.logger.log('socket counts are shared through Redis again');
      this.redisFailing = false;
      return;
    }
    if (!this.redisFailing) this.logger.warn(`socket counts fall back to this instance while Redis fails (${redisErrorCode(error)})`);
    this.redisFailing = true;
  }
}
