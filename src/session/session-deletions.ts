import { Injectable } from '@nestjs/common';
import { Observable, Subject } from 'rxjs';

/**
 * Tells the rest of the process that sessions were deleted (REST or the TTL job), right after the
 * delete committed, so that what is held of them in memory (running turns, queued frames, event-log
 * tails, sockets) goes too. Subscribers must not throw.
 */
@Injectable()
export class SessionDeletions {
  private readonly subject = new Subject<string>();

  /** Ids of deleted sessions, one by one. */
  get deleted(): Observable<string> {
    return this.subject.asObservable();
  }

  announce(sessionIds: Iterable<string>): void {
    for (const id of sessionIds) this.subject.next(id);
  }
}
