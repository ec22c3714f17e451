import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { PreparedStatements, preparedSql } from '../database/prepared-statements';
import { storableOrNull, storableText } from '../database/storable-text';
import { TransactionRunner } from '../database/transaction-runner';
import { isAgentType } from '../protocol/agent-type';
import { ChatMessage } from '../protocol/chat-message';
import { AgentSwitchRecord, ContextMetadata, ConversationChanges, ConversationState, NewMessage } from './conversation-state';
import { CachedConversation, ConversationCache } from './conversation-cache';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from './message.mapper';
import { FRESH_CONTEXT, INITIAL_AGENT } from './session-rows';
import { titleFromMessage } from './session-view';

const CONVERSATION_COLUMNS =
  's.version, s.message_count, c.current_agent, c.context_metadata, c.agent_history, c.switch_count ' +
  'FROM sessions s JOIN agent_contexts c ON c.session_id = s.id WHERE s.id = $1';
const LOAD_CONVERSATION = preparedSql('conversation_load', `SELECT ${CONVERSATION_COLUMNS}`);
// Locks the session row on PostgreSQL: concurrent commits to one session (several instances) wait for
// each other, so message seq numbers and agent history never collide. SQLite has one writer.
const LOCK_CONVERSATION = preparedSql('conversation_lock', `SELECT ${CONVERSATION_COLUMNS}`, `SELECT ${CONVERSATION_COLUMNS} FOR UPDATE`);
const VERSION_OF = preparedSql('conversation_version', 'SELECT version FROM sessions WHERE id = $1');
const RECENT_MESSAGES = preparedSql(
  'conversation_recent_messages',
  `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY seq DESC LIMIT $2`,
);
const INSERT_MESSAGE = preparedSql(
  'conversation_insert_message',
  'INSERT INTO messages (session_id, seq, role, content, name, tool_call_id, tool_calls, agent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
);
const SESSION_CHANGES = 'message_count = $1, last_activity = $2, title = COALESCE(title, $3), version = version + 1';
/** The update of a session whose state this process holds: applies only if nobody wrote since (same version). */
const UPDATE_SESSION_AT = preparedSql(
  'conversation_update_session_at',
  `UPDATE sessions SET ${SESSION_CHANGES} WHERE id = $4 AND version = $5 RETURNING version`,
);
const UPDATE_SESSION = preparedSql('conversation_update_session_locked', `UPDATE sessions SET ${SESSION_CHANGES} WHERE id = $4 RETURNING version`);
const UPDATE_CONTEXT = preparedSql(
  'conversation_update_context',
  'UPDATE agent_contexts SET current_agent = COALESCE($1, current_agent), agent_history = $2, context_metadata = $3, ' +
    'switch_count = $4, last_switch_at = COALESCE($5, last_switch_at) WHERE session_id = $6',
);

interface ConversationRow {
  version: number | string;
  message_count: number | string;
  current_agent: string;
  context_metadata: string;
  agent_history: string;
  switch_count: number | string;
}

/**
 * The agent runtime's view of a session: load its state, read the recent history, and commit each
 * step of a turn atomically. The state and recent history of active sessions are kept in a
 * {@link ConversationCache}, updated from what each commit wrote once it committed, so a steady turn
 * reads nothing and a commit is one guarded UPDATE of the session row plus one INSERT per message,
 * whatever the length of the history.
 */
@Injectable()
export class ConversationStore {
  /** The largest history window asked for (LLM_CONTEXT_MESSAGES): what a new session's entry covers. */
  private window = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly sql: PreparedStatements,
    private readonly cache: ConversationCache,
  ) {}

  /**
   * The session's state, or `null` when it does not exist. From memory when this process holds it
   * (`verified` mode: after one indexed read of its version), else from the database.
   */
  async load(sessionId: string): Promise<ConversationState | null> {
    const conversation = await this.current(sessionId);
    if (!conversation) return null;
    return {
      sessionId,
      currentAgent: conversation.currentAgent,
      awaitingToolCalls: conversation.metadata.awaiting_tool_calls ?? [],
    };
  }

  /**
   * A session this process has just created (fresh agent context, no message): held without a read.
   * Its history is complete (empty) for the window the last turns asked for.
   */
  created(sessionId: string): void {
    if (this.cache.get(sessionId)) return;
    this.cache.set(sessionId, {
      version: 0,
      messageCount: 0,
      currentAgent: FRESH_CONTEXT.currentAgent,
      metadata: {},
      agentHistory: [],
      switchCount: 0,
      ...(this.window > 0 ? { recent: { window: this.window, messages: [] } } : {}),
    });
  }

  /** The last `limit` messages, oldest first, never starting with an orphaned tool answer. */
  async recentMessages(sessionId: string, limit: number): Promise<ChatMessage[]> {
    this.window = Math.max(this.window, limit);
    const cached = this.cache.get(sessionId);
    let rows: readonly ChatMessage[];
    if (cached?.recent && cached.recent.window >= limit) {
      rows = cached.recent.messages.slice(-limit);
    } else {
      const read = await this.sql.query<MessageRow>(this.dataSource, RECENT_MESSAGES, [sessionId, limit]);
      rows = read.reverse().map(toChatMessage);
      // Kept only if nothing changed the entry meanwhile (a commit, a drop).
      if (cached && this.cache.get(sessionId) === cached) this.cache.set(sessionId, { ...cached, recent: { window: limit, messages: rows } });
    }
    let start = 0;
    while (start < rows.length && rows[start]?.role === 'tool') start += 1;
    return rows.slice(start);
  }

  /**
   * Writes everything one step of a turn changed, in one transaction. The cached state is updated from
   * what was written once the commit succeeded, and dropped when it failed (or its outcome is unknown).
   */
  async commit(sessionId: string, changes: ConversationChanges): Promise<void> {
    // Taken once: a unit may run again (group commit), and must then start from the same state.
    const base = this.cache.get(sessionId);
    let written: CachedConversation;
    try {
      written = await this.tx.run((manager) => this.write(manager, sessionId, base, changes));
    } catch (error) {
      this.cache.drop(sessionId);
      throw error;
    }
    this.cache.set(sessionId, written);
  }

  /** The session as this process holds it, checked or loaded. */
  private async current(sessionId: string): Promise<CachedConversation | null> {
    const cached = this.cache.get(sessionId);
    if (cached) {
      if (this.cache.mode === 'trusted') return cached;
      const [row] = await this.sql.query<{ version: number | string }>(this.dataSource, VERSION_OF, [sessionId]);
      if (row && Number(row.version) === cached.version) return cached;
      this.cache.drop(sessionId);
      if (!row) return null;
    }
    const drops = this.cache.drops;
    const [row] = await this.sql.query<ConversationRow>(this.dataSource, LOAD_CONVERSATION, [sessionId]);
    if (!row) return null;
    const loaded = fromRow(row);
    // A commit or a drop while this read ran knows better: only an untouched entry is filled.
    if (this.cache.drops === drops && this.cache.get(sessionId) === undefined) this.cache.set(sessionId, loaded);
    return loaded;
  }

  private async write(
    manager: EntityManager,
    sessionId: string,
    base: CachedConversation | undefined,
    changes: ConversationChanges,
  ): Promise<CachedConversation> {
    const now = new Date();
    const messages = changes.messages ?? [];
    const firstUser = messages.find((m) => m.role === 'user');
    const title = firstUser?.content ? titleFromMessage(storableText(firstUser.content)) : null;
    let from = base;
    let version: number | undefined;
    if (from) {
      const [row] = await this.sql.query<{ version: number | string }>(manager, UPDATE_SESSION_AT, [
        from.messageCount + messages.length,
        now.getTime(),
        title,
        sessionId,
        from.version,
      ]);
      version = row ? Number(row.version) : undefined;
    }
    if (!from || version === undefined) {
      // Not held here, or written by someone else since: read it under the session's lock.
      const [row] = await this.sql.query<ConversationRow>(manager, LOCK_CONVERSATION, [sessionId]);
      if (!row) throw sessionNotFound(sessionId);
      from = fromRow(row);
      const [updated] = await this.sql.query<{ version: number | string }>(manager, UPDATE_SESSION, [
        from.messageCount + messages.length,
        now.getTime(),
        title,
        sessionId,
      ]);
      version = Number(updated?.version);
    }
    await this.appendMessages(manager, sessionId, from.messageCount, messages, now);
    const context = await this.updateContext(manager, sessionId, from, changes);
    await this.writeApprovals(manager, sessionId, changes, now);
    return {
      ...context,
      version,
      messageCount: from.messageCount + messages.length,
      ...(from.recent ? { recent: { window: from.recent.window, messages: [...from.recent.messages, ...messages.map(asChatMessage)].slice(-from.recent.window) } } : {}),
    };
  }

  /** One prepared INSERT per message (usually one). */
  private async appendMessages(manager: EntityManager, sessionId: string, firstSeq: number, messages: readonly NewMessage[], now: Date): Promise<void> {
    for (const [i, m] of messages.entries()) {
      await this.sql.query(manager, INSERT_MESSAGE, [
        sessionId,
        firstSeq + i,
        m.role,
        storableOrNull(m.content),
        storableOrNull(m.name),
        m.toolCallId ?? null,
        m.toolCalls ? JSON.stringify(m.toolCalls) : null,
        m.agent ?? null,
        now.getTime(),
      ]);
    }
  }

  /** The agent context after the step, written when the step changes it. */
  private async updateContext(
    manager: EntityManager,
    sessionId: string,
    from: CachedConversation,
    changes: ConversationChanges,
  ): Promise<Pick<CachedConversation, 'currentAgent' | 'metadata' | 'agentHistory' | 'switchCount'>> {
    const { agentSwitch, awaitingToolCalls } = changes;
    if (!agentSwitch && !awaitingToolCalls) return from;
    const next = {
      currentAgent: agentSwitch ? agentSwitch.to : from.currentAgent,
      metadata: awaitingToolCalls ? { ...from.metadata, awaiting_tool_calls: awaitingToolCalls } : from.metadata,
      agentHistory: agentSwitch ? [...from.agentHistory, agentSwitch] : from.agentHistory,
      switchCount: from.switchCount + (agentSwitch ? 1 : 0),
    };
    await this.sql.query(manager, UPDATE_CONTEXT, [
      agentSwitch ? agentSwitch.to : null,
      JSON.stringify(next.agentHistory),
      JSON.stringify(next.metadata),
      next.switchCount,
      agentSwitch ? new Date(agentSwitch.timestamp).getTime() : null,
      sessionId,
    ]);
    return next;
  }
  private async writeApprovals(
    manager: EntityManager,
    sessionId: string,
    changes: ConversationChanges,
    now: Date,
  ): Promise<void> {
    if (changes.newApprovals?.length) {
      await manager.insert(
        PendingApprovalEntity,
        changes.newApprovals.map((a) => ({
          sessionId,
          callId: a.callId,
          toolName: a.toolName,
          arguments: a.arguments,
          reason: storableText(a.reason),
          status: 'pending' as const,
          createdAt: now,
          decidedAt: null,
          decisionReason: null,
        })),
      );
    }
    for (const decision of changes.approvalDecisions ?? []) {
      await manager.update(
        PendingApprovalEntity,
        { sessionId, callId: decision.callId, status: 'pending' },
        {
          status: decision.status,
          decidedAt: now,
          decisionReason: storableText(decision.reason),
          ...(decision.arguments ? { arguments: decision.arguments } : {}),
        },
      );
    }
  }
}

function fromRow(row: ConversationRow): CachedConversation {
  return {
    version: Number(row.version),
    messageCount: Number(row.message_count),
    currentAgent: isAgentType(row.current_agent) ? row.current_agent : INITIAL_AGENT,
    metadata: JSON.parse(row.context_metadata) as ContextMetadata,
    agentHistory: JSON.parse(row.agent_history) as AgentSwitchRecord[],
    switchCount: Number(row.switch_count),
  };
}

/** A message as the history read returns it once stored (same mapping as the stored row). */
function asChatMessage(m: NewMessage): ChatMessage {
  return toChatMessage({
    role: m.role,
    content: storableOrNull(m.content),
    name: storableOrNull(m.name),
    tool_call_id: m.toolCallId ?? null,
    tool_calls: m.toolCalls ? JSON.stringify(m.toolCalls) : null,
  });
}
