import { concatMap, finalize, from, Observable } from 'rxjs';
import type { WsTarget } from './ws-target';

/**
 * One connected socket: which session it talks to and the order of its replies. A socket opened on a
 * temporary `new_…` id is unbound until its first message creates the session.
 */
export class SocketSession {
  private boundId: string | undefined;
  private announcePending = false;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly target: WsTarget) {
    if (!target.temporary) this.boundId = target.requestedId;
  }

  get sessionId(): string | undefined {
    return this.boundId;
  }

  get protocol(): 1 | 2 {
    return this.target.protocol;
  }

  /** Binds a temporary socket to its real session; `announce` makes the next reply start with session_info. */
  bind(sessionId: string, announce: boolean): void {
    this.boundId = sessionId;
    this.announcePending = announce;
  }

  /** True once per bind: whether this reply must start with session_info. */
  takeAnnouncement(): boolean {
    const pending = this.announcePending;
    this.announcePending = false;
    return pending;
  }

  /** Replies go out in the order their frames arrived: each starts when the previous one has ended. */
  inOrder<T>(reply: Observable<T>): Observable<T> {
    const previous = this.tail;
    let done!: () => void;
    this.tail = new Promise<void>((resolve) => (done = resolve));
    return from(previous).pipe(
      concatMap(() => reply),
      finalize(() => done()),
    );
  }
}
