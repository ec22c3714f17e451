import type { ServerFrame } from '../../protocol/server-frames';

/** A frame of a session, numbered: `seq` grows by one per frame across the whole session. */
export type SequencedFrame = ServerFrame & { readonly seq: number };

/**
 * A session's event log: numbers frames and keeps them for replay (`last_seq`). The in-process
 * implementation keeps a recent tail in memory and writes behind to the database; a shared one
 * (e.g. Redis streams) can replace it to serve several instances.
 */
export interface SessionEventLog {
  /** Loads the session's counter; must be awaited before `append` for that session. */
  prepare(sessionId: string): Promise<void>;
  /** Numbers and records a frame. Synchronous, so frames keep their order. */
  append(sessionId: string, frame: ServerFrame): SequencedFrame;
  /** Every recorded frame with `seq > afterSeq`, in order. */
  readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]>;
  lastSeq(sessionId: string): Promise<number>;
  /** Makes everything appended so far durable. */
  flush(): Promise<void>;
}

export const SESSION_EVENT_LOG = Symbol('SESSION_EVENT_LOG');
