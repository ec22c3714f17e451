import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { Subscription } from 'rxjs';
import type { AppConfig } from '../config/app-config';
import type { AgentType } from '../protocol/agent-type';
import type { ChatMessage } from '../protocol/chat-message';
import type { AgentSwitchRecord, ContextMetadata } from './conversation-state';
import { SessionDeletions } from './session-deletions';

/**
 * How the conversation cache is used. `trusted` (one process): the session queue serializes every
 * writer of a session in this process, so the cached state is exact and is used as it is. `verified`
 * (several instances share the database): before a turn uses a cached state, one indexed read compares
 * the session's `version` with the cached one, and a mismatch reloads it. SessionModule provides
 * {@link CONVERSATION_CACHE_MODE} from the configuration ({@link conversationCacheModeFor}).
 */
export type ConversationCacheMode = 'trusted' | 'verified';
export const CONVERSATION_CACHE_MODE = Symbol('CONVERSATION_CACHE_MODE');

/** `verified` when several instances may share the database (REDIS_URL is set), else `trusted`. */
export function conversationCacheModeFor(config: Pick<AppConfig, 'redis'>): ConversationCacheMode {
  return config.redis ? 'verified' : 'trusted';
}

/** Active sessions held at most; the least recently used one is dropped first. */
export const CONVERSATION_CACHE_MAX_SESSIONS = 2_000;
/** A session not used for this long is dropped. */
export const CONVERSATION_CACHE_IDLE_MS = 10 * 60_000;

/** What the runtime reads of a session before and during a turn, as its last commit left it. */
export interface CachedConversation {
  /** `sessions.version` after the commit this copy reflects. */
  readonly version: number;
  readonly messageCount: number;
  readonly currentAgent: AgentType;
  readonly metadata: ContextMetadata;
  readonly agentHistory: readonly AgentSwitchRecord[];
  readonly switchCount: number;
  /** The newest messages, oldest first: every message when there are at most `window`, else the last `window`. */
  readonly recent?: { readonly window: number; readonly messages: readonly ChatMessage[] };
}

/**
 * The state and recent history of active sessions, in memory. Written only by ConversationStore, from
 * what a commit wrote and only after it committed; dropped when a commit fails or its outcome is
 * unknown, when the session is deleted, after {@link CONVERSATION_CACHE_IDLE_MS} without use, and beyond
 * {@link CONVERSATION_CACHE_MAX_SESSIONS} (least recently used first).
 */
@Injectable()
export class ConversationCache implements OnModuleDestroy {
  private readonly entries = new LRUCache<string, CachedConversation>({
    max: CONVERSATION_CACHE_MAX_SESSIONS,
    ttl: CONVERSATION_CACHE_IDLE_MS,
    updateAgeOnGet: true,
  });
  private readonly deletionWatch: Subscription;
  private dropCount = 0;

  constructor(
    @Inject(CONVERSATION_CACHE_MODE) readonly mode: ConversationCacheMode,
    deletions: SessionDeletions,
  ) {
    this.deletionWatch = deletions.deleted.subscribe((sessionId) => this.drop(sessionId));
  }

  get(sessionId: string): CachedConversation | undefined {
    return this.entries.get(sessionId);
  }

  set(sessionId: string, value: CachedConversation): void {
    this.entries.set(sessionId, value);
  }

  drop(sessionId: string): void {
    this.entries.delete(sessionId);
    this.dropCount += 1;
  }

  /** Grows with every drop: a load that saw it change must not fill the entry with what it read before. */
  get drops(): number {
    return this.dropCount;
  }

  get size(): number {
    return this.entries.size;
  }

  onModuleDestroy(): void {
    this.deletionWatch.unsubscribe();
  }
}
