import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { storableOrNull, storableText } from '../database/storable-text';
import { forUpdate, rawQuery, SqlParams } from '../database/raw-sql';
import { TransactionRunner } from '../database/transaction-runner';
import { isAgentType } from '../protocol/agent-type';
import { ChatMessage } from '../protocol/chat-message';
import { ContextMetadata, ConversationChanges, ConversationState, NewMessage } from './conversation-state';
import { AgentContextEntity } from './entities/agent-context.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from './message.mapper';
import { INITIAL_AGENT } from './session-rows';
import { titleFromMessage } from './session-view';

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
  ) {}

  /** The session's state, or `null` when it does not exist. */
  async load(sessionId: string): Promise<ConversationState | null> {
    const [row] = await rawQuery<{ current_agent: string; context_metadata: string }>(
      this.dataSource,
      'SELECT current_agent, context_metadata FROM agent_contexts WHERE session_id = :sessionId',
      { sessionId },
    );
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
    const rows = await rawQuery<MessageRow>(
      this.dataSource,
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = :sessionId ORDER BY seq DESC LIMIT :limit`,
      { sessionId, limit },
    );
    rows.reverse();
    while (rows.length > 0 && rows[0]?.role === 'tool') rows.shift();
    return rows.map(toChatMessage);
  }

  /** Writes everything one step of a turn changed, in one transaction. */
  async commit(sessionId: string, changes: ConversationChanges): Promise<void> {
    await this.tx.run(async (manager) => {
      // Locks the session row: concurrent commits to one session (several sockets, several instances
      // on PostgreSQL) wait for each other, so message seq numbers and agent history never collide.
      const [session] = await rawQuery<{ message_count: number | string; title: string | null }>(
        manager,
        `SELECT message_count, title FROM sessions WHERE id = :sessionId${forUpdate(manager)}`,
        { sessionId },
      );
      if (!session) throw sessionNotFound(sessionId);
      const now = new Date();
      const counted = { id: sessionId, messageCount: Number(session.message_count), title: session.title };
      await this.appendMessages(manager, counted, changes.messages ?? [], now);
      await this.updateContext(manager, sessionId, changes);
      await this.writeApprovals(manager, sessionId, changes, now);
    });
  }

  /** One multi-row INSERT and one UPDATE, whatever the length of the history. */
  private async appendMessages(
    manager: EntityManager,
    session: { id: string; messageCount: number; title: string | null },
    messages: readonly NewMessage[],
    now: Date,
  ): Promise<void> {
    if (messages.length > 0) {
      const params: SqlParams = { sessionId: session.id, now: now.getTime() };
      const rows = messages.map((m, i) => {
        params[`seq${i}`] = session.messageCount + i;
        params[`role${i}`] = m.role;
        params[`content${i}`] = storableOrNull(m.content);
        params[`name${i}`] = storableOrNull(m.name);
        params[`callId${i}`] = m.toolCallId ?? null;
        params[`calls${i}`] = m.toolCalls ? JSON.stringify(m.toolCalls) : null;
        params[`agent${i}`] = m.agent ?? null;
        return `(:sessionId, :seq${i}, :role${i}, :content${i}, :name${i}, :callId${i}, :calls${i}, :agent${i}, :now)`;
      });
      await rawQuery(
        manager,
        `INSERT INTO messages (session_id, seq, role, content, name, tool_call_id, tool_calls, agent, created_at) VALUES ${rows.join(', ')}`,
        params,
      );
    }
    const firstUser = messages.find((m) => m.role === 'user');
    const title = session.title ?? (firstUser?.content ? titleFromMessage(storableText(firstUser.content)) : null);
    await rawQuery(
      manager,
      'UPDATE sessions SET message_count = :count, last_activity = :now, title = :title WHERE id = :sessionId',
      { count: session.messageCount + messages.length, now: now.getTime(), title, sessionId: session.id },
    );
  }

  private async updateContext(
    manager: EntityManager,
    sessionId: string,
    changes: ConversationChanges,
  ): Promise<void> {
    if (!changes.agentSwitch && !changes.awaitingToolCalls) return;
    const context = await manager.findOneBy(AgentContextEntity, { sessionId });
    if (!context) throw sessionNotFound(sessionId);
    if (changes.agentSwitch) {
      context.currentAgent = changes.agentSwitch.to;
      context.agentHistory = [...context.agentHistory, changes.agentSwitch];
      context.switchCount += 1;
      context.lastSwitchAt = new Date(changes.agentSwitch.timestamp);
    }
    if (changes.awaitingToolCalls) {
      context.contextMetadata = { ...context.contextMetadata, awaiting_tool_calls: changes.awaitingToolCalls };
    }
    await manager.save(AgentContextEntity, context);
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
