import type { ServerFrame } from '../../protocol/server-frames';

/** A frame of a session, numbered: `seq` grows by one per frame across the whole session. */
export type SequencedFrame = ServerFrame & { readonly seq: number };

/**
 * A session's event log: numbers frames and keeps them for replay (`last_seq`). The in-process
 * implementation keeps a recent tail in memory and writes behind to the database; a shared one
 * (e.g. Redis streams) can replace it to serve several instances. Each incarnation of a session id
 * (deleted and created again) has a log of its own.
 */
export interface SessionEventLog {
  /**
   * Loads the session's counter and holds it until `release`: must be awaited before `append` for
   * that session. Fails with `session_not_found` when the session does not exist.
   */
  prepare(sessionId: string): Promise<void>;
  /** The caller appends no more for now (the counter may be dropped from memory once idle). */
  release(sessionId: string): void;
  /** Numbers and records a frame. Synchronous, so frames keep their order. */
  append(sessionId: string, frame: ServerFrame): SequencedFrame;
  /** Every recorded frame with `seq > afterSeq`, in order. */
  readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]>;
  lastSeq(sessionId: string): Promise<number>;
  /**
   * The session was deleted: drops what is held of it (counter, tail, frames not written yet). Its
   * next `prepare` starts a new, empty log.
   */
  forget(sessionId: string): void;
  /** Writes everything appended so far (frames the database refuses for a transient reason stay queued). */
  flush(): Promise<void>;
  /**
   * Several instances only: stores the frames the session's previous lease holder numbered but did not
   * write before it died. Called by the next holder, under the lease, before it numbers anything.
   */
  adoptUnwritten?(sessionId: string): Promise<void>;
}

export const SESSION_EVENT_LOG = Symbol('SESSION_EVENT_LOG');
