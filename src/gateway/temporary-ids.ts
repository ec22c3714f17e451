import { Injectable } from '@nestjs/common';
import type { OwnerScope } from '../session/owner-scope';

const REMEMBER_MS = 10 * 60_000;
const MAX_ENTRIES = 100_000;

/**
 * Remembers which session a temporary `new_…` id created, for 10 minutes, so that a client whose
 * socket dropped before `session_info` arrived (or an SSE client that sends the same temporary id
 * again) lands in the same session instead of a second one. Keyed per owner: two users' `new_1` are
 * different ids. A deleted session is forgotten at once.
 */
@Injectable()
export class TemporaryIds {
  private readonly entries = new Map<string, { sessionId: string; expiresAt: number }>();
  /** Session id → its entry's key, so that a deletion finds it without a scan. */
  private readonly keysBySession = new Map<string, string>();

  remember(temporaryId: string, owner: OwnerScope, sessionId: string, now = Date.now()): void {
    this.prune(now);
    const key = keyOf(temporaryId, owner);
    this.drop(key);
    this.entries.set(key, { sessionId, expiresAt: now + REMEMBER_MS });
    this.keysBySession.set(sessionId, key);
  }

  resolve(temporaryId: string, owner: OwnerScope, now = Date.now()): string | undefined {
    const key = keyOf(temporaryId, owner);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.drop(key);
      return undefined;
    }
    return entry.sessionId;
  }

  /** The session was deleted: no temporary id leads to it any more. */
  forgetSession(sessionId: string): void {
    const key = this.keysBySession.get(sessionId);
    if (key !== undefined) this.drop(key);
  }

  /** Entries are kept in insertion order, so expired ones are at the front. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < MAX_ENTRIES) break;
      this.drop(key);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (this.keysBySession.get(entry.sessionId) === key) this.keysBySession.delete(entry.sessionId);
  }
}

const keyOf = (temporaryId: string, owner: OwnerScope): string => `${owner ?? ''}\u0000${temporaryId}`;
