import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, DomainErrorCode, sessionNotFound } from '../common/domain.error';
import { PreparedStatements, preparedSql } from '../database/prepared-statements';
import { rawQuery } from '../database/raw-sql';
import { storableText } from '../database/storable-text';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { isAgentType } from '../protocol/agent-type';
import { AgentContextEntity } from './entities/agent-context.entity';
import { SessionEntity } from './entities/session.entity';
import { ownedBy, OwnerScope } from './owner-scope';
import { INITIAL_AGENT, insertSessionIfMissing } from './session-rows';
import { SessionDeletions } from './session-deletions';
import { SessionTotals } from './session-totals';
import { SessionView } from './session-view';
import { SessionOwners } from './session-owners';
import { ConversationStore } from './conversation-store.service';

// Asked before every turn and every socket upgrade.
const SESSION_OWNER = preparedSql('session_owner', 'SELECT owner_id FROM sessions WHERE id = $1');

interface SessionRow {
  id: string;
  title: string | null;
  message_count: number | string;
  created_at: number | string;
  last_activity: number | string;
  current_agent: string | null;
}

/** Session lifecycle: create, read, list, rename, delete. */
@Injectable()
export class SessionService {
  private readonly logger = new Logger(SessionService.name);

  constructor(
    @InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>,
    private readonly tx: TransactionRunner,
    private readonly totals: SessionTotals,
    private readonly deletions: SessionDeletions,
    private readonly sql: PreparedStatements,
    private readonly owners: SessionOwners,
    private readonly conversations: ConversationStore,
  ) {}

  /** Creates a session (a UUID v4 when no id is given). Fails with `session_exists` if the id is taken. */
  async create(input: { sessionId?: string; title?: string }, scope: OwnerScope): Promise<SessionView> {
    const id = input.sessionId ?? randomUUID();
    const created = await this.insertIfMissing(id, input.title ?? null, scope, input.sessionId === undefined);
    if (!created) {
      throw new DomainError(DomainErrorCode.SessionExists, `Session ${id} already exists`);
    }
    this.logger.log(`session=${id} created`);
    return this.get(id, scope);
  }

  /**
   * Creates the session for `scope` if it does not exist yet; tells whether it did. Safe under races.
   * Another user's session with that id is reported as not found.
   */
  async ensure(id: string, scope: OwnerScope): Promise<boolean> {
    if (await this.isVisible(id, scope)) return false;
    const mark = this.owners.mark;
    const created = await this.insertIfMissing(id, null, scope, false);
    if (created) {
      this.owners.remember(id, scope, mark);
      this.conversations.created(id);
      this.logger.log(`session=${id} created on first message`);
    } else if (!(await this.isVisible(id, scope))) {
      throw sessionNotFound(id);
    }
    return created;
  }

  /** Whether the session exists and belongs to the scope (the owner of a session in use is held in memory). */
  async isVisible(id: string, scope: OwnerScope): Promise<boolean> {
    let held = this.owners.get(id);
    if (!held) {
      const mark = this.owners.mark;
      const [row] = await this.sql.query<{ owner_id: string | null }>(this.sessions.manager, SESSION_OWNER, [id]);
      if (!row) return false;
      held = { owner: row.owner_id };
      this.owners.remember(id, held.owner, mark);
    }
    return scope === null || held.owner === scope;
  }

  /**
   * The owner of a session whose id the server made for an authenticated owner (PROTOCOL §10: such an
   * id may stand in for the owner's credential on a header-less socket); null for any other id.
   */
  async capabilityOwner(id: string): Promise<string | null> {
    const rows = await rawQuery<{ owner_id: string | null; server_made_id: boolean | number }>(
      this.sessions.manager,
      'SELECT owner_id, server_made_id FROM sessions WHERE id = :id',
      { id },
    );
    const row = rows[0];
    return row && Boolean(row.server_made_id) && row.owner_id !== null ? row.owner_id : null;
  }

  async get(id: string, scope: OwnerScope): Promise<SessionView> {
    const row = await this.scoped(scope).andWhere('s.id = :id', { id }).getRawOne<SessionRow>();
    if (!row) throw sessionNotFound(id);
    return toView(row);
  }

  /** Newest activity first; `total` counts every session, not just the page. */
  async list(limit: number, offset: number, scope: OwnerScope): Promise<{ items: SessionView[]; total: number }> {
    const [rows, total] = await Promise.all([
      this.scoped(scope)
        .orderBy('s.last_activity', 'DESC')
        .addOrderBy('s.id', 'ASC')
        .limit(limit)
        .offset(offset)
        .getRawMany<SessionRow>(),
      this.totals.of(scope),
    ]);
    return { items: rows.map(toView), total };
  }

  async rename(id: string, title: string, scope: OwnerScope): Promise<SessionView> {
    const result = await this.tx.run((manager) => manager.update(SessionEntity, { id, ...ownedBy(scope) }, { title: storableText(title) }));
    if (!result.affected) throw sessionNotFound(id);
    return this.get(id, scope);
  }

  async delete(id: string, scope: OwnerScope): Promise<void> {
    const result = await this.tx.run((manager) => manager.delete(SessionEntity, { id, ...ownedBy(scope) }));
    if (!result.affected) throw sessionNotFound(id);
    this.totals.forget();
    await this.deletions.announce([id]);
    this.logger.log(`session=${id} deleted`);
  }

  private async insertIfMissing(id: string, title: string | null, owner: OwnerScope, serverMadeId: boolean): Promise<boolean> {
    try {
      return await this.tx.run((manager) => insertSessionIfMissing(manager, this.sql, { id, title, ownerId: owner, serverMadeId })).then((created) => {
        if (created) this.totals.forget();
        return created;
      });
    } catch (error) {
      // Two instances (or pool connections) raced to create the same id: the other one won.
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  private scoped(scope: OwnerScope) {
    const query = this.sessions
      .createQueryBuilder('s')
      .leftJoin(AgentContextEntity, 'c', 'c.session_id = s.id')
      .select('s.id', 'id')
      .addSelect('s.title', 'title')
      .addSelect('s.message_count', 'message_count')
      .addSelect('s.created_at', 'created_at')
      .addSelect('s.last_activity', 'last_activity')
      .addSelect('c.current_agent', 'current_agent')
      .where('1 = 1');
    return scope === null ? query : query.andWhere('s.owner_id = :owner', { owner: scope });
  }
}

function toView(row: SessionRow): SessionView {
  return {
    id: row.id,
    title: row.title,
    messageCount: Number(row.message_count),
    createdAt: new Date(Number(row.created_at)),
    lastActivity: new Date(Number(row.last_activity)),
    currentAgent: isAgentType(row.current_agent) ? row.current_agent : INITIAL_AGENT,
  };
}
