import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { PreparedStatements, preparedSql } from '../database/prepared-statements';
import { storableOrNull, storableText } from '../database/storable-text';
import { TransactionRunner } from '../database/transaction-runner';
import { isAgentType } from '../protocol/agent-type';
import { ChatMessage } from '../protocol/chat-message';
import { AgentSwitchRecord, ContextMetadata, ConversationChanges, ConversationState, NewMessage } from './conversation-state';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from './message.mapper';
import { INITIAL_AGENT } from './session-rows';
import { titleFromMessage } from './session-view';

const LOAD_STATE = preparedSql('conversation_load_state', 'SELECT current_agent, context_metadata FROM agent_contexts WHERE session_id = $1');
const RECENT_MESSAGES = preparedSql(
  'conversation_recent_messages',
  `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = $1 ORDER BY seq DESC LIMIT $2`,
);
// Locks the session row on PostgreSQL: concurrent commits to one session (several instances) wait for
// each other, so message seq numbers and agent history never collide. SQLite has one writer.
const LOCK_SESSION_TEXT = 'SELECT message_count, title FROM sessions WHERE id = $1';
const LOCK_SESSION = preparedSql('conversation_lock_session', LOCK_SESSION_TEXT, `${LOCK_SESSION_TEXT} FOR UPDATE`);
const INSERT_MESSAGE = preparedSql(
  'conversation_insert_message',
  'INSERT INTO messages (session_id, seq, role, content, name, tool_call_id, tool_calls, agent, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
);
const UPDATE_SESSION = preparedSql(
  'conversation_update_session',
  'UPDATE sessions SET message_count = $1, last_activity = $2, title = $3 WHERE id = $4',
);
const READ_CONTEXT = preparedSql(
  'conversation_read_context',
  'SELECT agent_history, context_metadata, switch_count FROM agent_contexts WHERE session_id = $1',
);
const UPDATE_CONTEXT = preparedSql(
  'conversation_update_context',
  'UPDATE agent_contexts SET current_agent = COALESCE($1, current_agent), agent_history = $2, context_metadata = $3, ' +
    'switch_count = $4, last_switch_at = COALESCE($5, last_switch_at) WHERE session_id = $6',
);

/**
 * The agent runtime's view of a session: load its state, read the recent history, and commit each
 * step of a turn atomically. Appending costs the same at the 10th and the 10,000th message: one
 * indexed read of the session row, one insert, one update.
 */
@Injectable()
export class ConversationStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
    private readonly sql: PreparedStatements,
  ) {}

  /** The session's state, or `null` when it does not exist. */
  async load(sessionId: string): Promise<ConversationState | null> {
    const [row] = await this.sql.query<{ current_agent: string; context_metadata: string }>(this.dataSource, LOAD_STATE, [sessionId]);
    if (!row) return null;
    const metadata = JSON.parse(row.context_metadata) as ContextMetadata;
    return {
      sessionId,
      currentAgent: isAgentType(row.current_agent) ? row.current_agent : INITIAL_AGENT,
      awaitingToolCalls: metadata.awaiting_tool_calls ?? [],
    };
  }

  /** The last `limit` messages, oldest first, never starting with an orphaned tool answer. */
  async recentMessages(sessionId: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.sql.query<MessageRow>(this.dataSource, RECENT_MESSAGES, [sessionId, limit]);
    rows.reverse();
    while (rows.length > 0 && rows[0]?.role === 'tool') rows.shift();
    return rows.map(toChatMessage);
  }

  /** Writes everything one step of a turn changed, in one transaction. */
  async commit(sessionId: string, changes: ConversationChanges): Promise<void> {
    await this.tx.run(async (manager) => {
      const [session] = await this.sql.query<{ message_count: number | string; title: string | null }>(manager, LOCK_SESSION, [sessionId]);
      if (!session) throw sessionNotFound(sessionId);
      const now = new Date();
      const counted = { id: sessionId, messageCount: Number(session.message_count), title: session.title };
      await this.appendMessages(manager, counted, changes.messages ?? [], now);
      await this.updateContext(manager, sessionId, changes);
      await this.writeApprovals(manager, sessionId, changes, now);
    });
  }

  /** One prepared INSERT per message (usually one) and one UPDATE, whatever the length of the history. */
  private async appendMessages(
    manager: EntityManager,
    session: { id: string; messageCount: number; title: string | null },
    messages: readonly NewMessage[],
    now: Date,
  ): Promise<void> {
    for (const [i, m] of messages.entries()) {
      await this.sql.query(manager, INSERT_MESSAGE, [
        session.id,
        session.messageCount + i,
        m.role,
        storableOrNull(m.content),
        storableOrNull(m.name),
        m.toolCallId ?? null,
        m.toolCalls ? JSON.stringify(m.toolCalls) : null,
        m.agent ?? null,
        now.getTime(),
      ]);
    }
    const firstUser = messages.find((m) => m.role === 'user');
    const title = session.title ?? (firstUser?.content ? titleFromMessage(storableText(firstUser.content)) : null);
    await this.sql.query(manager, UPDATE_SESSION, [session.messageCount + messages.length, now.getTime(), title, session.id]);
  }

  private async updateContext(
    manager: EntityManager,
    sessionId: string,
    changes: ConversationChanges,
  ): Promise<void> {
    const { agentSwitch, awaitingToolCalls } = changes;
    if (!agentSwitch && !awaitingToolCalls) return;
    const [row] = await this.sql.query<{ agent_history: string; context_metadata: string; switch_count: number | string }>(
      manager,
      READ_CONTEXT,
      [sessionId],
    );
    if (!row) throw sessionNotFound(sessionId);
    const history = JSON.parse(row.agent_history) as AgentSwitchRecord[];
    let metadata = JSON.parse(row.context_metadata) as ContextMetadata;
    if (awaitingToolCalls) metadata = { ...metadata, awaiting_tool_calls: awaitingToolCalls };
    await this.sql.query(manager, UPDATE_CONTEXT, [
      agentSwitch ? agentSwitch.to : null,
      JSON.stringify(agentSwitch ? [...history, agentSwitch] : history),
      JSON.stringify(metadata),
      Number(row.switch_count) + (agentSwitch ? 1 : 0),
      agentSwitch ? new Date(agentSwitch.timestamp).getTime() : null,
      sessionId,
    ]);
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
