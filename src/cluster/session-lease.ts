/**
 * The right to run frames of one session. Frames of a session run one at a time across every instance
 * (PROTOCOL §2.4, §8): an instance holds the session's lease from before its turn numbers its first
 * frame until after it numbered its last one.
 */
export interface SessionLease {
  /**
   * Waits until this instance holds the session's lease. Rejects with the signal's reason when the
   * signal aborts first (a cancelled frame stops waiting).
   */
  acquire(sessionId: string, signal: AbortSignal): Promise<HeldLease>;
  /** True while any instance holds the session's lease (a turn of it runs somewhere). */
  isHeld(sessionId: string): Promise<boolean>;
  /** Sessions whose last holder died holding the lease (it expired unreleased): their turns await a takeover. */
  orphans(): Promise<string[]>;
  /** True when other instances may run the session's frames (what a holder numbered must be durable before it releases). */
  readonly shared: boolean;
}

export interface HeldLease {
  /**
   * True when the previous holder died holding the lease (it expired without being released): its turn
   * must be closed (partial answer stored, `cancelled` appended) before this one runs.
   */
  readonly orphaned: boolean;
  /**
   * Gives the lease up; `lastSeq` is the seq of the last frame the session has (the next holder
   * continues after it; -1 when unknown). Never rejects.
   */
  release(lastSeq: number): Promise<void>;
}

export const SESSION_LEASE = Symbol('SESSION_LEASE');

const ALWAYS_GRANTED: HeldLease = { orphaned: false, release: () => Promise.resolve() };

/** One instance: the session queue already runs a session's frames one at a time, so the lease is always granted. */
export class InProcessSessionLease implements SessionLease {
  readonly shared = false;

  acquire(): Promise<HeldLease> {
    return Promise.resolve(ALWAYS_GRANTED);
  }

  isHeld(): Promise<boolean> {
    return Promise.resolve(false);
  }

  orphans(): Promise<string[]> {
    return Promise.resolve([]);
  }
}
