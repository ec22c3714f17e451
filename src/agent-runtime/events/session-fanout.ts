import type { Observable } from 'rxjs';
import type { SequencedFrame } from './session-event-log';

/** Receives a session's live frames ({@link SessionFanout.listen}); an rxjs Subscriber is one. */
export interface FrameListener {
  next(frame: SequencedFrame): void;
  complete(): void;
}

/** Delivers a session's frames to everyone watching it (every protocol-2 socket of the session). */
export interface SessionFanout {
  publish(sessionId: string, frame: SequencedFrame): void;
  /** Live frames from now on; hot, never completes by itself. */
  watch(sessionId: string): Observable<SequencedFrame>;
  /**
   * {@link watch} without an Observable: live frames go to `listener` until {@link unlisten}. For holders
   * that keep it for their whole life (a protocol-2 socket), which then cost one object, not a chain.
   */
  listen(sessionId: string, listener: FrameListener): void;
  /** Stops {@link listen}; false when `listener` was not listening (e.g. the session's stream ended). */
  unlisten(sessionId: string, listener: FrameListener): boolean;
  /** The session was deleted: every watcher's stream completes, and nothing more is delivered to it. */
  end(sessionId: string): void;
}

export const SESSION_FANOUT = Symbol('SESSION_FANOUT');
