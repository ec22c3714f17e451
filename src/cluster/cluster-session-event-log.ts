import { Logger } from '@nestjs/common';
import type { BufferedSessionEventLog } from '../agent-runtime/events/buffered-session-event-log';
import type { SequencedFrame, SessionEventLog } from '../agent-runtime/events/session-event-log';
import { frameJson } from '../protocol/frame-json';
import type { ServerFrame } from '../protocol/server-frames';
import type { RedisConnections } from '../redis/redis-connections';
import type { SessionEventStore } from '../session/session-event-store.service';
import { parseSequencedFrame } from './frame-codec';
import { sessionCounterKey } from './redis-session-lease';

/** Frames of a session kept in its Redis stream (approximate trim), and how long an idle stream lives. */
const STREAM_MAX_FRAMES = 1_000;
const STREAM_TTL_MS = 3_600_000;


/**
 * KEYS: stream. ARGV: max length, ttl, then entry id (`<seq>-0`) and frame JSON per frame. Sent with
 * EVAL (not EVALSHA, whose fallback would re-send it after later commands): it reaches Redis in the
 * order it was issued. Redis refuses an entry id that is not above the stream's top (a reused seq).
 */
const ADD_FRAMES = `
for i = 3, #ARGV, 2 do redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], ARGV[i], 'f', ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`;

type Store = Pick<SessionEventStore, 'streamOf' | 'readAfter' | 'maxSeq' | 'insert'>;

/**
 * The event log shared by several instances. Numbering and durable writes stay with the in-process
 * log; every numbered frame is also added to the session's Redis stream (`<seq>-0` entry ids, so a
 * reused seq is refused by Redis itself). Only the holder of the session's run lease numbers frames,
 * and `prepare` (called under the lease) continues after the stream's top — the frames another instance
 * numbered. Reads come from the stream (recent frames, added before they are published) and the
 * database (older ones).
 */
export class ClusterSessionEventLog implements SessionEventLog {
  private readonly logger = new Logger(ClusterSessionEventLog.name);
  /** Sessions this instance prepared and holds (its turn runs here): its counter is exact. */
  private readonly holding = new Map<string, number>();
  /** Frames numbered in this tick, per session, not yet sent to the session's stream. */
  private readonly outbox = new Map<string, SequencedFrame[]>();
  private sending: NodeJS.Immediate | undefined;

  constructor(
    private readonly local: BufferedSessionEventLog,
    private readonly store: Store,
    private readonly redis: Pick<RedisConnections, 'client' | 'key'>,
  ) {}

  async prepare(sessionId: string): Promise<void> {
    await this.local.prepare(sessionId);
    this.holding.set(sessionId, (this.holding.get(sessionId) ?? 0) + 1);
    try {
      // The counter the last holder left, else (Redis restarted, or it expired) the database's; and the
      // stream's top, in case the last holder could not store its counter.
      const [top, left] = await Promise.all([this.streamTop(sessionId), this.redis.client().get(sessionCounterKey(this.redis, sessionId))]);
      const local = await this.local.lastSeq(sessionId);
      const stored = left === null ? await this.storedMax(sessionId) : Number(left);
      const counter = Math.max(top, stored);
      if (counter > local) this.local.advance(sessionId, counter);
    } catch (error) {
      this.release(sessionId);
      throw error;
    }
  }

  release(sessionId: string): void {
    const held = (this.holding.get(sessionId) ?? 0) - 1;
    if (held > 0) this.holding.set(sessionId, held);
    else this.holding.delete(sessionId);
    this.local.release(sessionId);
  }

  append(sessionId: string, frame: ServerFrame): SequencedFrame {
    const numbered = this.local.append(sessionId, frame);
    // Frames of one tick (a streamed answer's tokens often come in one) go to Redis in one script call.
    const pending = this.outbox.get(sessionId);
    if (pending) pending.push(numbered);
    else this.outbox.set(sessionId, [numbered]);
    this.sending ??= setImmediate(() => void this.send());
    return numbered;
  }

  async readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> {
    // The holder's own log is exact (its counter continued after every other instance's frames).
    if (this.holding.has(sessionId)) return this.local.readAfter(sessionId, afterSeq);
    if (this.outbox.has(sessionId)) await this.send();
    // Redis unreachable (restarting): the database alone, which has everything written so far.
    const recent = await this.streamAfter(sessionId, afterSeq).catch(() => []);
    if (recent[0]?.seq === afterSeq + 1) return recent;
    if (recent.length === 0) {
      // Nothing newer in the stream: it ends at or before afterSeq (then nothing is newer), or it is gone.
      const top = await this.streamTop(sessionId).catch(() => 0);
      if (top > 0 && top <= afterSeq) return [];
    }
    // Older than the stream keeps (or Redis lost it): the database has them, once written.
    await this.local.flush();
    const incarnation = await this.store.streamOf(sessionId);
    const stored = incarnation === null ? [] : await this.store.readAfter(incarnation, afterSeq);
    const frames = new Map<number, SequencedFrame>();
    for (const row of stored) {
      const frame = parseSequencedFrame(row.frame);
      if (frame) frames.set(frame.seq, frame);
    }
    for (const frame of recent) frames.set(frame.seq, frame);
    return [...frames.values()].sort((a, b) => a.seq - b.seq);
  }

  async lastSeq(sessionId: string): Promise<number> {
    const local = await this.local.lastSeq(sessionId);
    return this.holding.has(sessionId) ? local : Math.max(local, await this.streamTop(sessionId).catch(() => 0));
  }

  forget(sessionId: string): void {
    this.local.forget(sessionId);
    this.holding.delete(sessionId);
    this.outbox.delete(sessionId);
    this.redis
      .client()
      .del(this.streamKey(sessionId))
      .catch((error: Error) => this.logger.error(`session=${sessionId} could not drop its shared stream: ${error.message}`));
  }

  async flush(): Promise<void> {
    await this.send();
    await this.local.flush();
  }

  /** Adds every frame numbered so far to the sessions' streams. Never rejects (a failure is logged: the database has the frames). */
  private async send(): Promise<void> {
    if (this.sending) clearImmediate(this.sending);
    this.sending = undefined;
    const batches = [...this.outbox];
    this.outbox.clear();
    const client = this.redis.client();
    await Promise.all(
      batches.map(([sessionId, frames]) => {
        const args = [String(STREAM_MAX_FRAMES), String(STREAM_TTL_MS)];
        for (const frame of frames) args.push(`${frame.seq}-0`, frameJson(frame));
        return client
          .eval(ADD_FRAMES, { keys: [this.streamKey(sessionId)], arguments: args })
          .catch((error: Error) =>
            this.logger.error(`session=${sessionId} could not add frames ${frames[0]?.seq}–${frames.at(-1)?.seq} to its shared stream: ${error.message}`),
          );
      }),
    );
  }

  /**
   * Stores the frames the session's last holder numbered but never wrote (they are in the stream only):
   * only for a holder that died, as a live one writes its frames before it releases the lease.
   */
  async adoptUnwritten(sessionId: string): Promise<void> {
    const incarnation = await this.store.streamOf(sessionId);
    if (incarnation === null) return;
    await this.local.flush();
    const stored = await this.store.maxSeq(incarnation);
    if (stored >= (await this.streamTop(sessionId))) return;
    const missing = await this.streamAfter(sessionId, stored);
    if (missing.length === 0) return;
    await this.store.insert(missing.map((frame) => ({ incarnation, seq: frame.seq, frame: frameJson(frame), createdAt: new Date() })));
    this.logger.warn(`session=${sessionId} stored ${missing.length} frame(s) numbered by an instance that stopped before writing them`);
  }

  private async storedMax(sessionId: string): Promise<number> {
    const incarnation = await this.store.streamOf(sessionId);
    return incarnation === null ? 0 : this.store.maxSeq(incarnation);
  }

  private async streamAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> {
    const entries = await this.redis.client().xRange(this.streamKey(sessionId), `${afterSeq + 1}-0`, '+');
    const frames: SequencedFrame[] = [];
    for (const entry of entries) {
      const frame = parseSequencedFrame(entry.message.f ?? '');
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private async streamTop(sessionId: string): Promise<number> {
    const [entry] = await this.redis.client().xRevRange(this.streamKey(sessionId), '+', '-', { COUNT: 1 });
    return entry ? Number(entry.id.split('-')[0]) : 0;
  }

  private streamKey(sessionId: string): string {
    return this.redis.key('frames', sessionId);
  }
}
