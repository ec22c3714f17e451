import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, DomainErrorCode, sessionNotFound } from '../common/domain.error';
import { PreparedStatements, preparedSql } from '../database/prepared-statements';
import { storableOrNull, storableText } from '../database/storable-text';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { AgentType, isAgentType } from '../protocol/agent-type';
import { AgentContextEntity } from './entities/agent-context.entity';
import { SessionEntity } from './entities/session.entity';
import { ownedBy, OwnerScope } from './owner-scope';
import { SessionTotals } from './session-totals';
import { SessionView } from './session-view';

export const INITIAL_AGENT: AgentType = 'orchestrator';

// Asked before every turn and every socket upgrade.
const SESSION_EXISTS = preparedSql('session_exists', 'SELECT 1 AS found FROM sessions WHERE id = $1');
const SESSION_OWNED = preparedSql('session_owned', 'SELECT 1 AS found FROM sessions WHERE id = $1 AND owner_id = $2');
// A session is created by its first message: on the hot path too.
const INSERT_SESSION = preparedSql(
  'session_insert',
  'INSERT INTO sessions (id, owner_id, title, message_count, created_at, last_activity) VALUES ($1, $2, $3, 0, $4, $4)',
);
const INSERT_CONTEXT = preparedSql(
  'session_insert_context',
  'INSERT INTO agent_contexts (session_id, current_agent, agent_history, context_metadata, created_at, last_switch_at, switch_count) ' +
    "VALUES ($1, $2, '[]', '{}', $3, NULL, 0)",
);

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
    private readonly sql: PreparedStatements,
  ) {}

  /** Creates a session (a UUID v4 when no id is given). Fails with `session_exists` if the id is taken. */
  async create(input: { sessionId?: string; title?: string }, scope: OwnerScope): Promise<SessionView> {
    const id = input.sessionId ?? randomUUID();
    const created = await this.insertIfMissing(id, input.title ?? null, scope);
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
    const created = await this.insertIfMissing(id, null, scope);
    if (created) {
      this.logger.log(`session=${id} created on first message`);
    } else if (!(await this.isVisible(id, scope))) {
      throw sessionNotFound(id);
    }
    return created;
  }

  /** Whether the session exists and belongs to the scope. */
  async isVisible(id: string, scope: OwnerScope): Promise<boolean> {
    const rows =
      scope === null
        ? await this.sql.query(this.sessions.manager, SESSION_EXISTS, [id])
        : await this.sql.query(this.sessions.manager, SESSION_OWNED, [id, scope]);
    return rows.length > 0;
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
    this.logger.log(`session=${id} deleted`);
  }

  private async insertIfMissing(id: string, title: string | null, owner: OwnerScope): Promise<boolean> {
    try {
      return await this.tx.run(async (manager) => {
        if ((await this.sql.query(manager, SESSION_EXISTS, [id])).length > 0) return false;
        const now = Date.now();
        await this.sql.query(manager, INSERT_SESSION, [id, owner, storableOrNull(title), now]);
        await this.sql.query(manager, INSERT_CONTEXT, [id, INITIAL_AGENT, now]);
        return true;
      }).then((created) => {
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
