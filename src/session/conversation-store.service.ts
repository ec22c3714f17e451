import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { storableOrNull, storableText } from '../database/storable-text';
import { TransactionRunner } from '../database/transaction-runner';
import { writeLock } from '../database/write-lock';
import { isAgentType } from '../protocol/agent-type';
import { ChatMessage } from '../protocol/chat-message';
import { ConversationChanges, ConversationState, NewMessage } from './conversation-state';
import { AgentContextEntity } from './entities/agent-context.entity';
import { MessageEntity } from './entities/message.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { SessionEntity } from './entities/session.entity';
import { toChatMessage } from './message.mapper';
import { INITIAL_AGENT } from './session.service';
import { titleFromMessage } from './session-view';

/**
 * The agent runtime's view of a session: load its state, read the recent history, and commit each
 * step of a turn atomically. Appending costs the same at the 10th and the 10,000th message: one
 * indexed read of the session row, one insert, one update.
 */
@Injectable()
export class ConversationStore {
  constructor(
    @InjectRepository(AgentContextEntity) private readonly contexts: Repository<AgentContextEntity>,
    @InjectRepository(MessageEntity) private readonly messages: Repository<MessageEntity>,
    private readonly tx: TransactionRunner,
  ) {}

  /** The session's state, or `null` when it does not exist. */
  async load(sessionId: string): Promise<ConversationState | null> {
    const context = await this.contexts.findOneBy({ sessionId });
    if (!context) return null;
    return toState(context);
  }

  /** The last `limit` messages, oldest first, never starting with an orphaned tool answer. */
  async recentMessages(sessionId: string, limit: number): Promise<ChatMessage[]> {
    const rows = await this.messages.find({ where: { sessionId }, order: { seq: 'DESC' }, take: limit });
    rows.reverse();
    while (rows.length > 0 && rows[0]?.role === 'tool') rows.shift();
    return rows.map(toChatMessage);
  }

  /** Writes everything one step of a turn changed, in one transaction. */
  async commit(sessionId: string, changes: ConversationChanges): Promise<void> {
    await this.tx.run(async (manager) => {
      // Locks the session row: concurrent commits to one session (several sockets, several instances
      // on PostgreSQL) wait for each other, so message seq numbers and agent history never collide.
      const session = await manager.findOne(SessionEntity, { where: { id: sessionId }, ...writeLock(manager) });
      if (!session) throw sessionNotFound(sessionId);
      const now = new Date();
      await this.appendMessages(manager, session, changes.messages ?? [], now);
      await this.updateContext(manager, sessionId, changes);
      await this.writeApprovals(manager, sessionId, changes, now);
    });
  }

  private async appendMessages(
    manager: EntityManager,
    session: SessionEntity,
    messages: readonly NewMessage[],
    now: Date,
  ): Promise<void> {
    if (messages.length > 0) {
      await manager.insert(
        MessageEntity,
        messages.map((m, i) => ({
          sessionId: session.id,
          seq: session.messageCount + i,
          role: m.role,
          content: storableOrNull(m.content),
          name: storableOrNull(m.name),
          toolCallId: m.toolCallId ?? null,
          toolCalls: m.toolCalls ? [...m.toolCalls] : null,
          agent: m.agent ?? null,
          createdAt: now,
        })),
      );
    }
    const firstUser = messages.find((m) => m.role === 'user');
    const title = session.title ?? (firstUser?.content ? titleFromMessage(storableText(firstUser.content)) : null);
    await manager.update(
      SessionEntity,
      { id: session.id },
      { messageCount: session.messageCount + messages.length, lastActivity: now, title },
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

function toState(context: AgentContextEntity): ConversationState {
  return {
    sessionId: context.sessionId,
    currentAgent: isAgentType(context.currentAgent) ? context.currentAgent : INITIAL_AGENT,
    awaitingToolCalls: context.contextMetadata.awaiting_tool_calls ?? [],
  };
}
