import { Injectable } from '@nestjs/common';

const REMEMBER_MS = 10 * 60_000;
const MAX_ENTRIES = 100_000;

/**
 * Remembers which session a temporary `new_…` id created, for 10 minutes, so that a client whose
 * socket dropped before `session_info` arrived can reconnect with the same temporary id and land in
 * the same session instead of a second one.
 */
@Injectable()
export class TemporaryIds {
  private readonly entries = new Map<string, { sessionId: string; expiresAt: number }>();

  remember(temporaryId: string, sessionId: string, now = Date.now()): void {
    this.prune(now);
    this.entries.delete(temporaryId);
    this.entries.set(temporaryId, { sessionId, expiresAt: now + REMEMBER_MS });
  }

  resolve(temporaryId: string, now = Date.now()): string | undefined {
    const entry = this.entries.get(temporaryId);
    if (!entry) return undefined;
    if (entry.expiresAt <= now) {
      this.entries.delete(temporaryId);
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
