import type { Observable } from 'rxjs';
import type { SequencedFrame } from './session-event-log';

/** Delivers a session's frames to everyone watching it (every protocol-2 socket of the session). */
export interface SessionFanout {
  publish(sessionId: string, frame: SequencedFrame): void;
  /** Live frames from now on; hot, never completes by itself. */
  watch(sessionId: string): Observable<SequencedFrame>;
  /** The session was deleted: every watcher's stream completes, and nothing more is delivered to it. */
  end(sessionId: string): void;
}

export const SESSION_FANOUT = Symbol('SESSION_FANOUT');
