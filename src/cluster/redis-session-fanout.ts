import { Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import { InProcessSessionFanout } from '../agent-runtime/events/in-process-session-fanout';
import type { SequencedFrame } from '../agent-runtime/events/session-event-log';
import type { FrameListener, SessionFanout } from '../agent-runtime/events/session-fanout';
import { frameJson } from '../protocol/frame-json';
import type { RedisClientType } from 'redis';
import type { RedisConnections } from '../redis/redis-connections';
import { parseSequencedFrames } from './frame-codec';

/**
 * Fan-out across instances over Redis pub/sub: a frame reaches this instance's watchers at once and
 * every other instance's through the session's channel, which an instance subscribes to while it has
 * watchers of the session. Pub/sub may drop messages (a reconnect): watchers fill gaps from the log
 * (`followFrames`), so a missed frame is late, never lost.
 */
export class RedisSessionFanout implements SessionFanout {
  private readonly logger = new Logger(RedisSessionFanout.name);
  private readonly local = new InProcessSessionFanout();
  /** Watchers per session on this instance: its channel is subscribed while it has any. */
  private readonly watched = new Map<string, number>();
  private readonly subscribed = new Set<string>();
  /** Subscription changes of a session, one at a time. */
  private readonly changes = new Map<string, Promise<void>>();
  /** Frames published in this tick, per session, not yet sent to other instances. */
  private readonly outbox = new Map<string, SequencedFrame[]>();
  private sending: NodeJS.Immediate | undefined;
  private subscriber: Promise<RedisClientType> | undefined;

  constructor(private readonly redis: Pick<RedisConnections, 'client' | 'duplicate' | 'key' | 'instanceId'>) {}

  publish(sessionId: string, frame: SequencedFrame): void {
    this.local.publish(sessionId, frame);
    // Frames of one tick go to the other instances in one message.
    const pending = this.outbox.get(sessionId);
    if (pending) pending.push(frame);
    else this.outbox.set(sessionId, [frame]);
    this.sending ??= setImmediate(() => this.send());
  }

  watch(sessionId: string): Observable<SequencedFrame> {
    return new Observable<SequencedFrame>((subscriber) => {
      this.listen(sessionId, subscriber);
      return () => this.unlisten(sessionId, subscriber);
    });
  }

  listen(sessionId: string, listener: FrameListener): void {
    this.local.listen(sessionId, listener);
    this.retain(sessionId);
  }

  unlisten(sessionId: string, listener: FrameListener): boolean {
    if (!this.local.unlisten(sessionId, listener)) return false;
    this.drop(sessionId);
    return true;
  }

  /** The session's listeners here are ended all at once, and its channel is left. */
  end(sessionId: string): void {
    this.local.end(sessionId);
    if (this.watched.delete(sessionId)) this.sync(sessionId);
  }

  private retain(sessionId: string): void {
    this.watched.set(sessionId, (this.watched.get(sessionId) ?? 0) + 1);
    this.sync(sessionId);
  }

  private drop(sessionId: string): void {
    const watchers = (this.watched.get(sessionId) ?? 0) - 1;
    if (watchers > 0) this.watched.set(sessionId, watchers);
    else this.watched.delete(sessionId);
    this.sync(sessionId);
  }

  /** Subscribes to the session's channel while it has watchers here, unsubscribes once it has none. */
  private sync(sessionId: string): void {
    const change = (this.changes.get(sessionId) ?? Promise.resolve())
      .then(async () => {
        const wanted = this.watched.has(sessionId);
        if (wanted === this.subscribed.has(sessionId)) return;
        const subscriber = await this.connection();
        if (wanted) {
          await subscriber.subscribe(this.channel(sessionId), (message) => this.received(sessionId, message));
          this.subscribed.add(sessionId);
        } else {
          this.subscribed.delete(sessionId);
          await subscriber.unsubscribe(this.channel(sessionId));
        }
      })
      .catch((error: Error) => this.logger.error(`session=${sessionId} could not change its frame subscription: ${error.message}`));
    this.changes.set(sessionId, change);
    void change.then(() => {
      if (this.changes.get(sessionId) === change) this.changes.delete(sessionId);
    });
  }

  /** One message per session: `<instance>\n[<frame JSON>,…]`. */
  private send(): void {
    this.sending = undefined;
    const batches = [...this.outbox];
    this.outbox.clear();
    const client = this.redis.client();
    for (const [sessionId, frames] of batches) {
      client
        .publish(this.channel(sessionId), `${this.redis.instanceId}\n[${frames.map((f) => frameJson(f)).join(',')}]`)
        .catch((error: Error) => this.logger.error(`session=${sessionId} could not publish frames ${frames[0]?.seq}–${frames.at(-1)?.seq}: ${error.message}`));
    }
  }

  private received(sessionId: string, message: string): void {
    const cut = message.indexOf('\n');
    if (message.slice(0, cut) === this.redis.instanceId) return; // published here: already delivered
    const frames = parseSequencedFrames(message.slice(cut + 1));
    if (frames) for (const frame of frames) this.local.publish(sessionId, frame);
    else this.logger.warn(`session=${sessionId} ignored a malformed frame message`);
  }

  private connection(): Promise<RedisClientType> {
    this.subscriber ??= this.redis.duplicate('session frames');
    return this.subscriber;
  }

  private channel(sessionId: string): string {
    return this.redis.key('frames-live', sessionId);
  }
}
