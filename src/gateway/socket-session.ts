import { randomUUID } from 'node:crypto';
import { concatMap, finalize, from, Observable } from 'rxjs';
import { Principal, scopeOf } from '../auth/principal';
import type { OwnerScope } from '../session/owner-scope';
import type { WsTarget } from './ws-target';

/** What a fresh socket's reply order and admissions start from: one promise for all sockets, not three each. */
const SETTLED: Promise<void> = Promise.resolve();

/** A protocol-2 socket's follow of its session (see AgentRuntimeService.follow). */
export interface Following {
  stop(): void;
}

/**
 * One connected socket: which session it talks to, the order of its replies, and (protocol 2) its
 * subscription to the session's frames. A socket opened on a temporary `new_…` id is unbound until its
 * first message creates the session.
 */
export class SocketSession {
  private boundId: string | undefined;
  private announcePending = false;
  private tail: Promise<void> = SETTLED;
  private admissions: Promise<unknown> = SETTLED;
  private binding: Promise<string> | undefined;
  private watching: Following | undefined;
  /** Made on first use: most sockets never need it (it is only the rate key of unauthenticated ones). */
  private socketId: string | undefined;
  /** Resolves once the protocol-2 greeting (status, replay) is under way; frames wait for it. */
  ready: Promise<void> = SETTLED;

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
    return this.principal.via === 'none' ? `socket:${(this.socketId ??= randomUUID())}` : `user:${this.principal.userId}`;
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

  /**
   * Protocol 2: frames wait for the greeting (status, replay) to be under way; once it is, the socket
   * keeps no promise of it (an idle socket holds it for hours otherwise).
   */
  greeting(greeting: Promise<void>): void {
    this.ready = greeting;
    const settled = (): void => {
      if (this.ready === greeting) this.ready = SETTLED;
    };
    greeting.then(settled, settled);
  }

  /** Protocol 2: the follow that relays the session's frames to this socket. */
  follow(following: Following): void {
    this.watching?.stop();
    this.watching = following;
  }

  close(): void {
    this.watching?.stop();
    this.watching = undefined;
  }
}
