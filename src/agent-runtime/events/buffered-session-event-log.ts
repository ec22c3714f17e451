import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { frameJson } from '../../protocol/frame-json';
import type { ServerFrame } from '../../protocol/server-frames';
import { SessionEventStore, StoredEvent } from '../../session/session-event-store.service';
import type { SequencedFrame, SessionEventLog } from './session-event-log';

/** How long a flush may wait: token frames are written in batches, not one by one. */
const FLUSH_INTERVAL_MS = 50;
/** Frames of a session kept in memory for fast replay while it is active. */
const MEMORY_TAIL = 2_000;
/** A session's memory entry is dropped after this long without frames (its counter reloads from the DB). */
const IDLE_EVICT_MS = 10 * 60_000;
/** Retention: each session keeps at least its last 10,000 frames and at least its last 24 hours. */
const KEEP_LAST_FRAMES = 10_000;
const KEEP_FRAMES_MS = 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

/** What the log needs from the durable store. */
export type EventRows = Pick<SessionEventStore, 'insert' | 'readAfter' | 'maxSeq' | 'prune'>;

interface SessionTail {
  lastSeq: number;
  frames: SequencedFrame[];
  touchedAt: number;
}

/**
 * The in-process event log: seq counters and a recent tail per session in memory, written behind to
 * `session_events` in batches (at most every 50 ms, one transaction per batch). A graceful shutdown
 * flushes it, so replay works across restarts.
 */
@Injectable()
export class BufferedSessionEventLog implements SessionEventLog, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BufferedSessionEventLog.name);
  private readonly tails = new Map<string, SessionTail>();
  private pending: StoredEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(@Inject(SessionEventStore) private readonly store: EventRows) {}

  async prepare(sessionId: string): Promise<void> {
    const tail = this.tails.get(sessionId);
    if (tail) {
      tail.touchedAt = Date.now();
      return;
    }
    const lastSeq = await this.store.maxSeq(sessionId);
    if (!this.tails.has(sessionId)) this.tails.set(sessionId, { lastSeq, frames: [], touchedAt: Date.now() });
    this.evictIdle();
  }

  append(sessionId: string, frame: ServerFrame): SequencedFrame {
    const tail = this.tails.get(sessionId);
    if (!tail) throw new Error(`event log for session ${sessionId} was not prepared`);
    const numbered: SequencedFrame = { ...frame, seq: tail.lastSeq + 1 };
    tail.lastSeq = numbered.seq;
    tail.touchedAt = Date.now();
    tail.frames.push(numbered);
    if (tail.frames.length > MEMORY_TAIL) tail.frames.splice(0, tail.frames.length - MEMORY_TAIL);
    this.pending.push({ sessionId, seq: numbered.seq, frame: frameJson(numbered), createdAt: new Date() });
    this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS);
    return numbered;
  }

  async readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> {
    const tail = this.tails.get(sessionId);
    const first = tail?.frames[0];
    if (tail && (tail.lastSeq <= afterSeq || (first && first.seq <= afterSeq + 1))) {
      return tail.frames.filter((f) => f.seq > afterSeq);
    }
    await this.flush();
    const rows = await this.store.readAfter(sessionId, afterSeq);
    return rows.map((r) => JSON.parse(r.frame) as SequencedFrame);
  }

  async lastSeq(sessionId: string): Promise<number> {
    return this.tails.get(sessionId)?.lastSeq ?? this.store.maxSeq(sessionId);
  }

  /** Writes every pending frame; concurrent callers wait for the same write. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.flushing = this.flushing.then(() => this.writePending());
    return this.flushing;
  }

  onApplicationBootstrap(): void {
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS);
    this.pruneTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    await this.flush();
  }

  /** Deletes frames beyond the retention window; returns how many. */
  async prune(now = new Date()): Promise<number> {
    try {
      const deleted = await this.store.prune(now, KEEP_LAST_FRAMES, KEEP_FRAMES_MS);
      if (deleted > 0) this.logger.log(`pruned ${deleted} old event(s)`);
      return deleted;
    } catch (error) {
      this.logger.error(`event pruning failed: ${(error as Error).message}`);
      return 0;
    }
  }

  private async writePending(): Promise<void> {
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    try {
      await this.store.insert(batch);
    } catch {
      // Usually a session deleted mid-turn (its rows violate the foreign key): write per session, drop those.
      for (const rows of groupBySession(batch)) {
        await this.store.insert(rows).catch((error: Error) => {
          this.logger.warn(`session=${rows[0]?.sessionId} dropped ${rows.length} event(s): ${error.message}`);
        });
      }
    }
  }

  private evictIdle(): void {
    const limit = Date.now() - IDLE_EVICT_MS;
    for (const [sessionId, tail] of this.tails) {
      if (tail.touchedAt < limit) this.tails.delete(sessionId);
    }
  }
}

function groupBySession(rows: readonly StoredEvent[]): StoredEvent[][] {
  const groups = new Map<string, StoredEvent[]>();
  for (const row of rows) {
    const group = groups.get(row.sessionId) ?? [];
    group.push(row);
    groups.set(row.sessionId, group);
  }
  return [...groups.values()];
}
