import { randomUUID } from 'node:crypto';
import { concatMap, finalize, from, Observable, Subscription } from 'rxjs';
import { Principal, scopeOf } from '../auth/principal';
import type { OwnerScope } from '../session/owner-scope';
import type { WsTarget } from './ws-target';

/**
 * One connected socket: which session it talks to, the order of its replies, and (protocol 2) its
 * subscription to the session's frames. A socket opened on a temporary `new_…` id is unbound until its
 * first message creates the session.
 */
export class SocketSession {
  private boundId: string | undefined;
  private announcePending = false;
  private tail: Promise<void> = Promise.resolve();
  private admissions: Promise<unknown> = Promise.resolve();
  private binding: Promise<string> | undefined;
  private watching: Subscription | undefined;
  /** Resolves once the protocol-2 greeting (status, replay) is under way; frames wait for it. */
  ready: Promise<void> = Promise.resolve();

  constructor(
    readonly target: WsTarget,
    readonly principal: Principal,
  ) {
    if (!target.temporary) this.boundId = target.requestedId;
  }

  get owner(): OwnerScope {
    return scopeOf(this.principal);
  }

  /**
   * Rate limits are per user; without authentication every socket is its own user (a random id: the
   * counters may be shared by several instances).
   */
  get rateKey(): string {
    return this.principal.via === 'none' ? `socket:${this.socketId}` : `user:${this.principal.userId}`;
  }

  private readonly socketId = randomUUID();

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

  /**
   * Binds a temporary socket once, to the session `claim` names (announced with session_info): frames
   * that arrive while the claim is under way wait for the same one. A failed claim can be tried again.
   */
  bindOnce(claim: () => Promise<string>): Promise<string> {
    this.binding ??= claim().then(
      (sessionId) => {
        this.bind(sessionId, true);
        return sessionId;
      },
      (error: unknown) => {
        this.binding = undefined;
        throw error;
      },
    );
    return this.binding;
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

  /**
   * Runs the admission check of each frame (its rate limit) in arrival order, each one after the
   * previous one has answered, so that frames reach the runtime in the order they came.
   */
  admit<T>(check: () => Promise<T>): Promise<T> {
    const result = this.admissions.then(check);
    this.admissions = result.catch(() => undefined);
    return result;
  }

  /** Protocol 2: the subscription that relays the session's frames to this socket. */
  follow(subscription: Subscription): void {
    this.watching?.unsubscribe();
    this.watching = subscription;
  }

  close(): void {
    this.watching?.unsubscribe();
    this.watching = undefined;
  }
}
