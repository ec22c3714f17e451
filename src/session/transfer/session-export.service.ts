import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { rawQuery } from '../../database/raw-sql';
import { ChatMessage } from '../../protocol/chat-message';
import { JsonObject } from '../../protocol/json';
import { ApprovalStatus } from '../conversation-state';
import { PendingApprovalEntity } from '../entities/pending-approval.entity';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from '../message.mapper';
import { OwnerScope } from '../owner-scope';
import { AgentContextView, SessionHistoryService } from '../session-history.service';
import { SessionView } from '../session-view';
import { SessionService } from '../session.service';

export interface ExportedMessage {
  readonly message: ChatMessage;
  /** The agent that wrote an assistant message, when known. */
  readonly agent: string | null;
}

export interface ApprovalRecord {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject;
  readonly status: ApprovalStatus;
  readonly reason: string | null;
  readonly createdAt: Date;
  readonly decidedAt: Date | null;
}

/** Everything a session holds, as of one moment. */
export interface SessionExport {
  readonly exportedAt: Date;
  readonly session: SessionView;
  readonly messages: readonly ExportedMessage[];
  readonly agentContext: AgentContextView;
  readonly approvals: readonly ApprovalRecord[];
}

/** Reads a whole session for `GET /sessions/{id}/export`. */
@Injectable()
export class SessionExportService {
  constructor(
    private readonly sessions: SessionService,
    private readonly history: SessionHistoryService,
    @InjectRepository(PendingApprovalEntity) private readonly approvals: Repository<PendingApprovalEntity>,
  ) {}

  async export(sessionId: string, scope: OwnerScope): Promise<SessionExport> {
    const session = await this.sessions.get(sessionId, scope);
    const [rows, agentContext, approvals] = await Promise.all([
      rawQuery<MessageRow & { agent: string | null }>(
        this.approvals.manager,
        `SELECT ${MESSAGE_COLUMNS}, agent FROM messages WHERE session_id = :sessionId ORDER BY seq ASC`,
        { sessionId },
      ),
      this.history.agentContext(sessionId, scope),
      this.approvals.find({ where: { sessionId }, order: { createdAt: 'ASC', callId: 'ASC' } }),
    ]);
    return {
      exportedAt: new Date(),
      session,
      messages: rows.map((row) => ({ message: toChatMessage(row), agent: row.agent })),
      agentContext,
      approvals: approvals.map((a) => ({
        callId: a.callId,
        toolName: a.toolName,
        arguments: a.arguments as JsonObject,
        status: a.status,
        reason: a.reason,
        createdAt: a.createdAt,
        decidedAt: a.decidedAt,
      })),
    };
  }
}
