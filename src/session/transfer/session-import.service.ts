import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { storableText } from '../../database/storable-text';
import { TransactionRunner } from '../../database/transaction-runner';
import { PendingApprovalEntity } from '../entities/pending-approval.entity';
import { OwnerScope } from '../owner-scope';
import { insertMessages, insertSession } from '../session-rows';
import { PreparedStatements } from '../../database/prepared-statements';
import { SessionTotals } from '../session-totals';
import { SessionView, titleFromMessage } from '../session-view';
import { SessionService } from '../session.service';
import { parseImportDocument } from './import-document';

/** `POST /imports`: a new session, with a fresh id, owned by the caller, holding exactly the given messages. */
@Injectable()
export class SessionImportService {
  private readonly logger = new Logger(SessionImportService.name);

  constructor(
    private readonly tx: TransactionRunner,
    private readonly sessions: SessionService,
    private readonly totals: SessionTotals,
    private readonly sql: PreparedStatements,
  ) {}

  /** Validates the whole body first; then writes everything in one transaction (nothing on failure). */
  async import(body: unknown, scope: OwnerScope): Promise<SessionView> {
    const doc = parseImportDocument(body);
    const id = randomUUID();
    const firstUser = doc.messages.find((m) => m.role === 'user')?.content;
    const title = doc.title !== undefined ? doc.title : firstUser ? titleFromMessage(storableText(firstUser)) : null;
    await this.tx.run(async (manager) => {
      await insertSession(manager, this.sql, { id, title, ownerId: scope, context: doc.context });
      await insertMessages(
        manager,
        id,
        doc.messages.map((m) => ({
          role: m.role,
          content: m.content,
          ...(m.name !== undefined ? { name: m.name } : {}),
          ...(m.tool_call_id !== undefined ? { toolCallId: m.tool_call_id } : {}),
          ...(m.tool_calls !== undefined ? { toolCalls: m.tool_calls } : {}),
        })),
      );
      if (doc.approvals.length > 0) {
        await manager.insert(
          PendingApprovalEntity,
          doc.approvals.map((a) => ({ ...a, sessionId: id, reason: a.reason === null ? null : storableText(a.reason), decisionReason: null })),
        );
      }
    });
    this.totals.forget();
    this.logger.log(`session=${id} imported (${doc.messages.length} messages)`);
    return this.sessions.get(id, scope);
  }
}
