import { randomUUID } from 'node:crypto';
import { Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { RedisClientType } from 'redis';
import type { RedisConnections } from '../redis/redis-connections';
import type { CancelRouter } from './cancel-router';

/** How long a cancel waits for the other instances' answers (an instance that died never answers). */
const REPLY_TIMEOUT_MS = 2_000;

interface CancelRequest {
  readonly request: string;
  readonly sessionId: string;
  readonly replyTo: string;
}

interface CancelReply {
  readonly request: string;
  readonly stopped: boolean;
}

/**
 * Cancel over Redis pub/sub: the receiving instance stops what it runs itself, then publishes the
 * request to every instance; each one stops the session's frames it runs or queues and answers whether
 * it stopped any. The answer is true when any instance (this one included) stopped something.
 */
export class RedisCancelRouter implements CancelRouter, OnApplicationBootstrap {
  private readonly logger = new Logger(RedisCancelRouter.name);
  private stopLocal: (sessionId: string) => boolean = () => false;
  private subscribed: Promise<RedisClientType> | undefined;
  private readonly pending = new Map<string, (reply: CancelReply) => void>();

  constructor(private readonly redis: Pick<RedisConnections, 'client' | 'duplicate' | 'key' | 'instanceId'>) {}

  serve(stopLocal: (sessionId: string) => boolean): void {
    this.stopLocal = stopLocal;
  }

  onApplicationBootstrap(): void {
    this.start().catch((error: Error) => this.logger.error(`could not listen for cancels from other instances (retried on the next cancel): ${error.message}`));
  }

  /** Subscribes to cancel requests and to this instance's replies (at bootstrap; again on first use if that failed). */
  start(): Promise<RedisClientType> {
    this.subscribed ??= (async () => {
      const subscriber = await this.redis.duplicate('cancel routing');
      await subscriber.subscribe(this.requests, (message) => this.onRequest(message));
      await subscriber.subscribe(this.replies(this.redis.instanceId), (message) => this.onReply(message));
      return subscriber;
    })().catch((error: unknown) => {
      this.subscribed = undefined;
      throw error;
    });
    return this.subscribed;
  }

  async cancel(sessionId: string): Promise<boolean> {
    await this.start().catch((error: Error) => this.logger.error(`session=${sessionId} cancel stays on this instance: ${error.message}`));
    const stoppedHere = this.stopLocal(sessionId);
    const request: CancelRequest = { request: randomUUID(), sessionId, replyTo: this.redis.instanceId };
    let answers = 0;
    let stoppedElsewhere = false;
    let expected = Number.POSITIVE_INFINITY;
    let settle: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (settle = resolve));
    this.pending.set(request.request, (reply) => {
      answers += 1;
      stoppedElsewhere ||= reply.stopped;
      if (answers >= expected) settle();
    });
    const timer = setTimeout(settle, REPLY_TIMEOUT_MS);
    try {
      // Every subscriber of the channel counts, this instance included (it does not answer itself).
      expected = (await this.redis.client().publish(this.requests, JSON.stringify(request))) - 1;
      if (answers >= expected) settle();
      await settled;
      if (answers < expected) this.logger.warn(`session=${sessionId} cancel: ${expected - answers} instance(s) did not answer`);
    } catch (error) {
      this.logger.error(`session=${sessionId} could not route the cancel to other instances: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
      this.pending.delete(request.request);
    }
    return stoppedHere || stoppedElsewhere;
  }

  private onRequest(message: string): void {
    const request = parseRequest(message);
    if (!request) {
      this.logger.warn('ignored a malformed cancel request');
      return;
    }
    if (request.replyTo === this.redis.instanceId) return;
    const reply: CancelReply = { request: request.request, stopped: this.stopLocal(request.sessionId) };
    if (reply.stopped) this.logger.log(`session=${request.sessionId} stopped by a cancel received on another instance`);
    this.redis
      .client()
      .publish(this.replies(request.replyTo), JSON.stringify(reply))
      .catch((error: Error) => this.logger.error(`session=${request.sessionId} could not answer a cancel: ${error.message}`));
  }

  private onReply(message: string): void {
    const reply = parseReply(message);
    if (reply) this.pending.get(reply.request)?.(reply);
  }

  private get requests(): string {
    return this.redis.key('cancel');
  }

  private replies(instance: string): string {
    return this.redis.key('cancel-reply', instance);
  }
}

function parseJsonObject(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function parseRequest(text: string): CancelRequest | null {
  const o = parseJsonObject(text);
  return o && typeof o.request === 'string' && typeof o.sessionId === 'string' && typeof o.replyTo === 'string'
    ? { request: o.request, sessionId: o.sessionId, replyTo: o.replyTo }
    : null;
}

function parseReply(text: string): CancelReply | null {
  const o = parseJsonObject(text);
  return o && typeof o.request === 'string' && typeof o.stopped === 'boolean' ? { request: o.request, stopped: o.stopped } : null;
}
