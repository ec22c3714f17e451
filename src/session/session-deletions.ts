import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/**
 * Tells the rest of the process that sessions were deleted (REST or the TTL job), right after the
 * delete committed, so that what is held of them in memory (running turns, queued frames, event-log
 * tails, sockets) goes too. Subscribers must not throw. What is kept outside the process (a temporary
 * id shared in Redis) registers a settler instead: `announce` resolves once every settler has run, so it
 * is gone before the deletion is answered.
 */
@Injectable()
export class SessionDeletions {
  private readonly subject = new Subject<string>();
  private readonly settlers: ((sessionIds: readonly string[]) => Promise<void>)[] = [];

  /** Ids of deleted sessions, one by one. */
  get deleted(): Observable<string> {
    return this.subject.asObservable();
  }

  /** Runs `settle` for every deletion before `announce` resolves; it must not throw (log and resolve). */
  settleWith(settle: (sessionIds: readonly string[]) => Promise<void>): void {
    this.settlers.push(settle);
  }

  async announce(sessionIds: Iterable<string>): Promise<void> {
    const ids = [...sessionIds];
    for (const id of ids) this.subject.next(id);
    if (ids.length > 0) await Promise.all(this.settlers.map((settle) => settle(ids)));
  }
}
