import { Injectable } from '@nestjs/common';
import type { OwnerScope } from '../session/owner-scope';

const REMEMBER_MS = 10 * 60_000;
const MAX_ENTRIES = 100_000;

/**
 * Remembers which session a temporary `new_…` id created, for 10 minutes, so that a client whose
 * socket dropped before `session_info` arrived can reconnect with the same temporary id and land in
 * the same session instead of a second one. Keyed per owner: two users' `new_1` are different ids.
 */
@Injectable()
export class TemporaryIds {
  private readonly entries = new Map<string, { sessionId: string; expiresAt: number }>();

  remember(temporaryId: string, owner: OwnerScope, sessionId: string, now = Date.now()): void {
    this.prune(now);
    const key = keyOf(temporaryId, owner);
    this.entries.delete(key);
    this.entries.set(key, { sessionId, expiresAt: now + REMEMBER_MS });
  }

  resolve(temporaryId: string, owner: OwnerScope, now = Date.now()): string | undefined {
    const key = keyOf(temporaryId, owner);
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.sessionId;
  }

  /** Entries are kept in insertion order, so expired ones are at the front. */
  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (entry.expiresAt > now && this.entries.size < MAX_ENTRIES) break;
      this.entries.delete(key);
    }
  }
}

const keyOf = (temporaryId: string, owner: OwnerScope): string => `${owner ?? ''}\u0000${temporaryId}`;
