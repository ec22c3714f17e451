import { Injectable, Logger } from '@nestjs/common';
import type { OwnerScope } from '../session/owner-scope';
import type { SessionDeletions } from '../session/session-deletions';

/** How long a temporary id leads to the session it created. */
export const TEMPORARY_ID_TTL_MS = 10 * 60_000;

/**
 * Remembers which session a temporary `new_…` id created, for 10 minutes, so that a client whose
 * socket dropped before `session_info` arrived (or an SSE client that sends the same temporary id
 * again) lands in the same session instead of a second one, on any instance. Keyed per owner: two
 * users' `new_1` are different ids. A deleted session is forgotten at once.
 */
export abstract class TemporaryIds {
  /**
   * The session `temporaryId` leads to: the one it already created (within 10 minutes), else
   * `proposedSessionId`, remembered from now on. Atomic: of two claims at once, both get the same id.
   */
  abstract claim(temporaryId: string, owner: OwnerScope, proposedSessionId: string): Promise<string>;

  /** The session `temporaryId` created, if it did within 10 minutes and that session was not deleted. */
  abstract resolve(temporaryId: string, owner: OwnerScope): Promise<string | undefined>;

  /** The session was deleted: no temporary id leads to it any more. */
  abstract forgetSession(sessionId: string): Promise<void>;
}

/**
 * Makes `ids` forget every deleted session before the deletion is answered (REST 204, the TTL job), on
 * whichever instance deleted it. A failure is logged: the deletion itself stands.
 */
export function forgettingDeleted<T extends TemporaryIds>(ids: T, deletions: SessionDeletions): T {
  const logger = new Logger(TemporaryIds.name);
  deletions.settleWith(async (sessionIds) => {
    for (const sessionId of sessionIds) {
      await ids.forgetSession(sessionId).catch((error: Error) => {
        logger.warn(`session=${sessionId} deleted, but its temporary id could not be forgotten: ${error.message}`);
      });
    }
  });
  return ids;
}

const MAX_ENTRIES = 100_000;

/** Without REDIS_URL: in this process's memory. */
@Injectable()
export class InProcessTemporaryIds extends TemporaryIds {
  private readonly entries = new Map<string, { sessionId: string; expiresAt: number }>();
  /** Session id → its entry's key, so that a deletion finds it without a scan. */
  private readonly keysBySession = new Map<string, string>();

  claim(temporaryId: string, owner: OwnerScope, proposedSessionId: string, now = Date.now()): Promise<string> {
    const existing = this.lookup(temporaryId, owner, now);
    if (existing !== undefined) return Promise.resolve(existing);
    this.prune(now);
    const key = temporaryIdKey(temporaryId, owner);
    this.entries.set(key, { sessionId: proposedSessionId, expiresAt: now + TEMPORARY_ID_TTL_MS });
    this.keysBySession.set(proposedSessionId, key);
    return Promise.resolve(proposedSessionId);
  }

  resolve(temporaryId: string, owner: OwnerScope, now = Date.now()): Promise<string | undefined> {
    return Promise.resolve(this.lookup(temporaryId, owner, now));
  }

  forgetSession(sessionId: string): Promise<void> {
    const key = this.keysBySession.get(sessionId);
    if (key !== undefined) this.drop(key);
    return Promise.resolve();
  }

  private lookup(temporaryId: string, owner: OwnerScope, now: number): string | undefined {
    const key = temporaryIdKey(temporaryId, owner);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.drop(key);
      return undefined;
    }
    return entry.sessionId;
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

/**
 * One string per (owner, temporary id), unambiguous whatever either contains: the owner is
 * percent-encoded (no `:` left in it) and marked, an anonymous owner is `~`.
 */
export function temporaryIdKey(temporaryId: string, owner: OwnerScope): string {
  return `${owner === null ? '~' : `u${encodeURIComponent(owner)}`}:${temporaryId}`;
}
