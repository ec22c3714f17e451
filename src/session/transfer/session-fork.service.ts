import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { DomainError, DomainErrorCode, sessionNotFound } from '../../common/domain.error';
import { forUpdate, rawQuery } from '../../database/raw-sql';
import { TransactionRunner } from '../../database/transaction-runner';
import { isAgentType } from '../../protocol/agent-type';
import { AgentContextEntity } from '../entities/agent-context.entity';
import { MESSAGE_COLUMNS, MessageRow, toChatMessage } from '../message.mapper';
import { OwnerScope } from '../owner-scope';
import { INITIAL_AGENT, insertSession } from '../session-rows';
import { PreparedStatements } from '../../database/prepared-statements';
import { SessionTotals } from '../session-totals';
import { SessionView } from '../session-view';
import { SessionService } from '../session.service';
import { firstUnansweredCall } from './message-sequence';

export interface ForkRequest {
  /** Keep messages with seq ≤ this (0-based, as in history); default: all. */
  readonly upToSeq?: number;
  readonly title?: string;
}

const invalid = (message: string): DomainError => new DomainError(DomainErrorCode.InvalidRequest, message);

/**
 * `POST /sessions/{id}/fork`: a new session with a copy of the first messages and of the agent context.
 * The copy is made in one transaction that holds the source's row lock, so a turn committing to the
 * source at the same time lands wholly before or wholly after the copy. Source and fork share nothing.
 */
@Injectable()
export class SessionForkService {
  private readonly logger = new Logger(SessionForkService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly sessions: SessionService,
    private readonly totals: SessionTotals,
    private readonly sql: PreparedStatements,
  ) {}

  async fork(sourceId: string, request: ForkRequest, scope: OwnerScope): Promise<SessionView> {
    const id = randomUUID();
    const kept = await this.tx.run(async (manager) => {
      const [source] = await rawQuery<{ message_count: number | string; title: string | null }>(
        manager,
        `SELECT message_count, title FROM sessions WHERE id = :sourceId${scope === null ? '' : ' AND owner_id = :owner'}${forUpdate(manager)}`,
        scope === null ? { sourceId } : { sourceId, owner: scope },
      );
      if (!source) throw sessionNotFound(sourceId);
      const count = Number(source.message_count);
      const upTo = request.upToSeq ?? count - 1;
      if (upTo >= count) throw invalid(`up_to_seq ${upTo} is past the last message (the session has ${count} messages, seq 0-${count - 1})`);
      const rows = await rawQuery<MessageRow>(
        manager,
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE session_id = :sourceId AND seq <= :upTo ORDER BY seq ASC`,
        { sourceId, upTo },
      );
      const open = firstUnansweredCall(rows.map(toChatMessage));
      if (open) {
        throw invalid(`up_to_seq ${upTo} would cut tool call ${open.id} (message ${open.index}) from its answer; fork before the call or after its answer`);
      }
      const context = await manager.findOneBy(AgentContextEntity, { sessionId: sourceId });
      await insertSession(manager, this.sql, {
        id,
        title: request.title ?? source.title,
        ownerId: scope,
        context: {
          currentAgent: context && isAgentType(context.currentAgent) ? context.currentAgent : INITIAL_AGENT,
          agentHistory: context?.agentHistory ?? [],
          switchCount: context?.switchCount ?? 0,
          lastSwitchAt: context?.lastSwitchAt ?? null,
        },
      });
      const params = { id, sourceId, upTo, now: Date.now() };
      await rawQuery(
        manager,
        `INSERT INTO messages (session_id, seq, role, content, name, tool_call_id, tool_calls, agent, created_at)
         SELECT CAST(:id AS varchar(128)), seq, role, content, name, tool_call_id, tool_calls, agent, created_at
         FROM messages WHERE session_id = :sourceId AND seq <= :upTo`,
        params,
      );
      // The decided approvals of the calls the fork keeps (pending ones belong to calls it cannot keep).
      await rawQuery(
        manager,
        `INSERT INTO pending_approvals (session_id, call_id, tool_name, arguments, reason, status, created_at, decided_at, decision_reason)
         SELECT CAST(:id AS varchar(128)), a.call_id, a.tool_name, a.arguments, a.reason, a.status, a.created_at, a.decided_at, a.decision_reason
         FROM pending_approvals a
         WHERE a.session_id = :sourceId AND a.status <> 'pending'
           AND EXISTS (SELECT 1 FROM messages m WHERE m.session_id = :id AND m.role = 'tool' AND m.tool_call_id = a.call_id)`,
        params,
      );
      await rawQuery(manager, 'UPDATE sessions SET message_count = :count, last_activity = :now WHERE id = :id', {
        id,
        count: upTo + 1,
        now: params.now,
      });
      return upTo + 1;
    });
    this.totals.forget();
    this.logger.log(`session=${id} forked from session=${sourceId} (${kept} messages)`);
    return this.sessions.get(id, scope);
  }
}
