import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Subscription } from 'rxjs';
import { CONVERSATION_CACHE_MODE, ConversationCacheMode } from './conversation-cache';
import type { OwnerScope } from './owner-scope';
import { SessionDeletions } from './session-deletions';

/** Sessions whose owner is held at most; the least recently used one is dropped first. */
export const SESSION_OWNERS_MAX = 20_000;

/**
 * The owner of existing sessions, asked before every turn and socket upgrade. A session's owner never
 * changes, so an entry stays right until the session is deleted, which drops it. Off in `verified` mode
 * (several instances): a deletion on another instance is not seen here, so every check reads the database.
 */
@Injectable()
export class SessionOwners implements OnModuleDestroy {
  private readonly owners = new LRUCache<string, { readonly owner: OwnerScope }>({ max: SESSION_OWNERS_MAX });
  private readonly deletionWatch: Subscription;
  private deletionCount = 0;

  constructor(
    @Inject(CONVERSATION_CACHE_MODE) private readonly mode: ConversationCacheMode,
    deletions: SessionDeletions,
  ) {
    this.deletionWatch = deletions.deleted.subscribe((sessionId) => {
      this.owners.delete(sessionId);
      this.deletionCount += 1;
    });
  }

  /** The held owner of an existing session, or undefined when not held. */
  get(sessionId: string): { readonly owner: OwnerScope } | undefined {
    return this.mode === 'trusted' ? this.owners.get(sessionId) : undefined;
  }

  /** A mark to pass to {@link remember}: what was read before a deletion is not kept. */
  get mark(): number {
    return this.deletionCount;
  }

  /** Holds the owner of a session that existed when `mark` was taken, unless a session was deleted since. */
  remember(sessionId: string, owner: OwnerScope, mark: number): void {
    if (this.mode === 'trusted' && mark === this.deletionCount) this.owners.set(sessionId, { owner });
  }

  onModuleDestroy(): void {
    this.deletionWatch.unsubscribe();
  }
}
