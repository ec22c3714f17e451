import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { frameJson } from '../../protocol/frame-json';
import type { ServerFrame } from '../../protocol/server-frames';
import { FrameText, Run, toRuns } from '../../session/event-runs';
import { SessionEventStore } from '../../session/session-event-store.service';
import type { SequencedFrame, SessionEventLog } from './session-event-log';

/** How long a flush may wait: token frames are written in batches, not one by one. */
const FLUSH_INTERVAL_MS = 50;
/** After a failed write the frames stay queued; the next attempt waits this long, doubling up to the maximum. */
const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/** Frames of a session kept in memory for fast replay while it is active (at least; up to TRIM_STEP more). */
const MEMORY_TAIL = 2_000;
const TRIM_STEP = 500;
/** A session's memory entry is dropped after this long without frames (its counter reloads from the DB). */
const IDLE_EVICT_MS = 10 * 60_000;
/** Idle tails are looked for at most this often (a scan visits every tail: not once per turn). */
const EVICT_SCAN_MS = 30_000;
/** Retention: each session keeps at least its last 10,000 frames and at least its last 24 hours. */
const KEEP_LAST_FRAMES = 10_000;
const KEEP_FRAMES_MS = 24 * 3_600_000;
const PRUNE_INTERVAL_MS = 10 * 60_000;

/** What the log needs from the durable store. */
export type EventRows = Pick<
  SessionEventStore,
  'openStreamAt' | 'streamOf' | 'streamExists' | 'insert' | 'readAfter' | 'maxSeq' | 'prune'
>;

interface SessionTail {
  readonly incarnation: string;
  lastSeq: number;
  frames: SequencedFrame[];
  touchedAt: number;
  /** Turns between `prepare` and `release`: a held tail is never evicted. */
  holders: number;
}

/**
 * The in-process event log: seq counters and a recent tail per session in memory, written behind to
 * `session_events` in batches (at most every 50 ms, one transaction per batch; a session's frames of one
 * batch share a row, see event-runs.ts). A graceful shutdown flushes it, so replay works across restarts. A write the database refuses is retried (with backoff)
 * until it succeeds or the session is gone, and a tail is kept in memory while it has unwritten frames
 * or a turn holds it, so a counter is never reloaded behind frames it already numbered.
 */
@Injectable()
export class BufferedSessionEventLog implements SessionEventLog, OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BufferedSessionEventLog.name);
  private readonly tails = new Map<string, SessionTail>();
  /** Sessions whose `prepare` is loading; `forget` marks them stale so the load starts over. */
  private readonly loading = new Map<string, { stale: boolean }>();
  /** Frames numbered but not written yet, per stream. */
  private readonly unwritten = new Map<string, number>();
  private pending: FrameText[] = [];
  private timer: NodeJS.Timeout | undefined;
  private retryMs = 0;
  private flushing: Promise<void> = Promise.resolve();
  private pruneTimer: NodeJS.Timeout | undefined;
  private lastEvictScan = 0;

  constructor(@Inject(SessionEventStore) private readonly store: EventRows) {}

  async prepare(sessionId: string): Promise<void> {
    let tail = this.tails.get(sessionId);
    while (!tail) {
      const load = { stale: false };
      this.loading.set(sessionId, load);
      try {
        const { incarnation, lastSeq } = await this.store.openStreamAt(sessionId);
        if (load.stale) continue; // deleted while loading: load the new incarnation (or fail)
        tail = this.tails.get(sessionId) ?? { incarnation, lastSeq, frames: [], touchedAt: Date.now(), holders: 0 };
        this.tails.set(sessionId, tail);
      } finally {
        if (this.loading.get(sessionId) === load) this.loading.delete(sessionId);
      }
    }
    tail.holders += 1;
    tail.touchedAt = Date.now();
    this.evictIdle();
  }

  release(sessionId: string): void {
    const tail = this.tails.get(sessionId);
    if (tail && tail.holders > 0) tail.holders -= 1;
  }

  /**
   * Another instance numbered the session's frames up to `lastSeq` (several instances, PROTOCOL §8):
   * the counter continues after it, and the memory tail, which misses those frames, is dropped.
   */
  advance(sessionId: string, lastSeq: number): void {
    const tail = this.tails.get(sessionId);
    if (!tail || tail.lastSeq >= lastSeq) return;
    tail.lastSeq = lastSeq;
    tail.frames = [];
  }

  append(sessionId: string, frame: ServerFrame): SequencedFrame {
    const tail = this.tails.get(sessionId);
    if (!tail) throw new Error(`event log for session ${sessionId} was not prepared`);
    const numbered: SequencedFrame = { ...frame, seq: tail.lastSeq + 1 };
    const now = Date.now();
    tail.lastSeq = numbered.seq;
    tail.touchedAt = now;
    tail.frames.push(numbered);
    // Trimmed in steps, not by one frame per frame (each trim moves the whole tail).
    if (tail.frames.length > MEMORY_TAIL + TRIM_STEP) tail.frames.splice(0, tail.frames.length - MEMORY_TAIL);
    this.pending.push({ incarnation: tail.incarnation, seq: numbered.seq, json: frameJson(numbered), createdAt: now });
    this.unwritten.set(tail.incarnation, (this.unwritten.get(tail.incarnation) ?? 0) + 1);
    this.schedule(FLUSH_INTERVAL_MS);
    return numbered;
  }

  async readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> {
    const tail = this.tails.get(sessionId);
    const first = tail?.frames[0];
    if (tail && (tail.lastSeq <= afterSeq || (first && first.seq <= afterSeq + 1))) {
      // The tail's seqs are consecutive: the frames after `afterSeq` start at a known index (every turn's
      // reply asks, at its start, for the frames after the current counter: no scan of the tail).
      return first ? tail.frames.slice(Math.max(0, afterSeq + 1 - first.seq)) : [];
    }
    const incarnation = tail?.incarnation ?? (await this.store.streamOf(sessionId));
    if (incarnation === null) return [];
    await this.flush();
    const rows = await this.store.readAfter(incarnation, afterSeq);
    return rows.map((r) => JSON.parse(r.frame) as SequencedFrame);
  }

  async lastSeq(sessionId: string): Promise<number> {
    const tail = this.tails.get(sessionId);
    if (tail) return tail.lastSeq;
    const incarnation = await this.store.streamOf(sessionId);
    return incarnation === null ? 0 : this.store.maxSeq(incarnation);
  }

  forget(sessionId: string): void {
    const load = this.loading.get(sessionId);
    if (load) load.stale = true;
    const tail = this.tails.get(sessionId);
    if (!tail) return;
    this.tails.delete(sessionId);
    this.unwritten.delete(tail.incarnation);
    this.pending = this.pending.filter((row) => row.incarnation !== tail.incarnation);
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
    if (this.timer) clearTimeout(this.timer);
    if (this.pending.length > 0) this.logger.error(`${this.pending.length} event(s) could not be written before shutdown`);
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

  private schedule(delayMs: number): void {
    this.timer ??= setTimeout(() => void this.flush(), delayMs);
  }

  private async writePending(): Promise<void> {
    if (this.pending.length === 0) return;
    // A session's frames numbered since the last flush (a streamed answer's tokens) share one row.
    const runs = toRuns(this.pending);
    this.pending = [];
    try {
      await this.store.insert(runs.map((run) => run.row));
      this.written(runs);
      this.retryMs = 0;
      return;
    } catch {
      // Write per stream: one deleted session (its rows violate the foreign key) must not hold up the others.
    }
    const kept: FrameText[] = [];
    for (const streamRuns of groupByStream(runs)) {
      const incarnation = streamRuns[0]?.row.incarnation ?? '';
      try {
        await this.store.insert(streamRuns.map((run) => run.row));
        this.written(streamRuns);
      } catch (error) {
        if (await this.store.streamExists(incarnation).catch(() => true)) {
          for (const run of streamRuns) kept.push(...run.frames);
          this.logger.warn(`stream=${incarnation} could not write ${streamRuns.length} row(s) of events, will retry: ${(error as Error).message}`);
        } else {
          this.written(streamRuns); // the session was deleted: its frames go with it
        }
      }
    }
    // Frames of a session forgotten meanwhile do not come back.
    const retry = kept.filter((frame) => this.unwritten.has(frame.incarnation));
    if (retry.length === 0) return;
    this.pending = [...retry, ...this.pending];
    this.retryMs = Math.min(RETRY_MAX_MS, Math.max(RETRY_MIN_MS, this.retryMs * 2));
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.retryMs);
    this.timer.unref();
  }

  private written(runs: readonly Run[]): void {
    for (const { row, frames } of runs) {
      const left = (this.unwritten.get(row.incarnation) ?? 0) - frames.length;
      if (left > 0) this.unwritten.set(row.incarnation, left);
      else this.unwritten.delete(row.incarnation);
    }
  }

  private evictIdle(): void {
    const now = Date.now();
    if (now - this.lastEvictScan < EVICT_SCAN_MS) return;
    this.lastEvictScan = now;
    const limit = now - IDLE_EVICT_MS;
    for (const [sessionId, tail] of this.tails) {
      if (tail.touchedAt < limit && tail.holders === 0 && !this.unwritten.has(tail.incarnation)) this.tails.delete(sessionId);
    }
  }
}

function groupByStream(runs: readonly Run[]): Run[][] {
  const groups = new Map<string, Run[]>();
  for (const run of runs) {
    const group = groups.get(run.row.incarnation) ?? [];
    group.push(run);
    groups.set(run.row.incarnation, group);
  }
  return [...groups.values()];
}
