import type { SequencedFrame, SessionEventLog } from '../../src/agent-runtime/events/session-event-log';
import type { ServerFrame } from '../../src/protocol/server-frames';

/** A fake SessionEventLog for unit specs: numbers and keeps every frame in memory, per session. */
export class MemoryEventLog implements SessionEventLog {
  private readonly frames = new Map<string, SequencedFrame[]>();
  readonly prepared: string[] = [];
  flushes = 0;

  prepare(sessionId: string): Promise<void> {
    this.prepared.push(sessionId);
    return Promise.resolve();
  }

  release(): void {
    // Nothing is evicted here.
  }

  forget(sessionId: string): void {
    this.frames.delete(sessionId);
  }

  append(sessionId: string, frame: ServerFrame): SequencedFrame {
    const list = this.frames.get(sessionId) ?? [];
    const numbered: SequencedFrame = { ...frame, seq: list.length + 1 };
    list.push(numbered);
    this.frames.set(sessionId, list);
    return numbered;
  }

  readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> {
    return Promise.resolve(this.of(sessionId).filter((f) => f.seq > afterSeq));
  }

  lastSeq(sessionId: string): Promise<number> {
    return Promise.resolve(this.of(sessionId).length);
  }

  flush(): Promise<void> {
    this.flushes += 1;
    return Promise.resolve();
  }

  /** Every frame appended for the session, in order. */
  of(sessionId: string): SequencedFrame[] {
    return [...(this.frames.get(sessionId) ?? [])];
  }
}
