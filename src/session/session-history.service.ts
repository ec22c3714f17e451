import type { JsonObject } from '../protocol/json';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { AgentType, isAgentType } from '../protocol/agent-type';
import { ChatMessage } from '../protocol/chat-message';
import { AgentSwitchRecord } from './conversation-state';
import { AgentContextEntity } from './entities/agent-context.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { SessionEntity } from './entities/session.entity';
import { rawQuery } from '../database/raw-sql';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from './message.mapper';
import { ownedBy, OwnerScope } from './owner-scope';
import { INITIAL_AGENT } from './session-rows';

export interface SessionHistory {
  readonly sessionId: string;
  readonly messages: ChatMessage[];
  readonly lastActivity: Date;
  readonly currentAgent: AgentType;
  readonly agentHistory: readonly AgentSwitchRecord[];
}

export interface AgentContextView {
  readonly sessionId: string;
  readonly currentAgent: AgentType;
  readonly agentHistory: readonly AgentSwitchRecord[];
  readonly switchCount: number;
}

export interface PendingApprovalView {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject;
  readonly reason: string | null;
  readonly createdAt: Date;
}

/** Read side for the REST API: history, agent context, pending approvals. */
@Injectable()
export class SessionHistoryService {
  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    @InjectRepository(AgentContextEntity) private readonly contexts: Repository<AgentContextEntity>,
    @InjectRepository(PendingApprovalEntity) private readonly approvals: Repository<PendingApprovalEntity>,
  ) {}

  async history(sessionId: string, scope: OwnerScope): Promise<SessionHistory> {
    const session = await this.sessions.findOneBy({ id: sessionId, ...ownedBy(scope) });
    if (!session) throw sessionNotFound(sessionId);
    const [rows, context] = await Promise.all([
      rawQuery<MessageRow>(
        this.sessions.manager,
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = :sessionId ORDER BY seq ASC`,
        { sessionId },
      ),
      this.contexts.findOneBy({ sessionId }),
    ]);
    return {
      sessionId,
      messages: rows.map(toChatMessage),
      lastActivity: session.lastActivity,
      currentAgent: agentOf(context),
      agentHistory: context?.agentHistory ?? [],
    };
  }

  async agentContext(sessionId: string, scope: OwnerScope): Promise<AgentContextView> {
    if (!(await this.sessions.existsBy({ id: sessionId, ...ownedBy(scope) }))) throw sessionNotFound(sessionId);
    const context = await this.contexts.findOneBy({ sessionId });
    if (!context) throw sessionNotFound(sessionId);
    return {
      sessionId,
      currentAgent: agentOf(context),
      agentHistory: context.agentHistory,
      switchCount: context.switchCount,
    };
  }

  async pendingApprovals(sessionId: string, scope: OwnerScope): Promise<PendingApprovalView[]> {
    if (!(await this.sessions.existsBy({ id: sessionId, ...ownedBy(scope) }))) throw sessionNotFound(sessionId);
    const rows = await this.approvals.find({
      where: { sessionId, status: 'pending' },
      order: { createdAt: 'ASC', callId: 'ASC' },
    });
    return rows.map((r) => ({
      callId: r.callId,
      toolName: r.toolName,
      arguments: r.arguments as JsonObject,
      reason: r.reason,
      createdAt: r.createdAt,
    }));
  }
}

function agentOf(context: AgentContextEntity | null): AgentType {
  return context && isAgentType(context.currentAgent) ? context.currentAgent : INITIAL_AGENT;
}
