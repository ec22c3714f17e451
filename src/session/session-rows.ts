import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { PreparedStatements, preparedSql, SqlValue } from '../database/prepared-statements';
import { storableOrNull } from '../database/storable-text';
import { AgentType } from '../protocol/agent-type';
import { AgentSwitchRecord, NewMessage } from './conversation-state';
import { MessageEntity } from './entities/message.entity';
import { SessionEntity } from './entities/session.entity';
import { OwnerScope } from './owner-scope';

export const INITIAL_AGENT: AgentType = 'orchestrator';

/** The agent context a new session starts with, or the one it is given (import, fork). */
export interface InitialAgentContext {
  readonly currentAgent: AgentType;
  readonly agentHistory: readonly AgentSwitchRecord[];
  readonly switchCount: number;
  readonly lastSwitchAt: Date | null;
}

export const FRESH_CONTEXT: InitialAgentContext = { currentAgent: INITIAL_AGENT, agentHistory: [], switchCount: 0, lastSwitchAt: null };

const INSERT_SESSION = preparedSql(
  'session_rows_insert_session',
  'INSERT INTO sessions (id, owner_id, server_made_id, title, message_count, version, created_at, last_activity) ' +
    'VALUES ($1, $2, ($3 = 1), $4, 0, 0, $5, $5)',
);
/** The same, as a no-op when the id is taken (no error, so a group-commit batch is not rolled back). */
const INSERT_SESSION_IF_MISSING = preparedSql(
  'session_rows_insert_session_if_missing',
  `${INSERT_SESSION.postgres} ON CONFLICT (id) DO NOTHING RETURNING id`,
);
const INSERT_STREAM = preparedSql('session_rows_insert_stream', 'INSERT INTO session_streams (session_id, incarnation, created_at) VALUES ($1, $2, $3)');
const INSERT_CONTEXT = preparedSql(
  'session_rows_insert_context',
  'INSERT INTO agent_contexts (session_id, current_agent, agent_history, context_metadata, created_at, last_switch_at, switch_count) ' +
    'VALUES ($1, $2, $3, $4, $5, $6, $7)',
);

/** What a new session is made of. */
export interface NewSession {
  readonly id: string;
  readonly title: string | null;
  readonly ownerId: OwnerScope;
  readonly serverMadeId?: boolean;
  readonly context?: InitialAgentContext;
}

/**
 * Inserts a session row (no messages yet), its event stream and its agent context, inside the caller's
 * transaction (prepared statements: creating a session on its first message is on the turn path).
 */
export async function insertSession(manager: EntityManager, sql: PreparedStatements, session: NewSession): Promise<void> {
  await sql.query(manager, INSERT_SESSION, sessionValues(session));
  await insertParts(manager, sql, session);
}

/** As {@link insertSession}, unless the id is taken; tells whether it inserted. One statement either way to find out. */
export async function insertSessionIfMissing(manager: EntityManager, sql: PreparedStatements, session: NewSession): Promise<boolean> {
  const inserted = await sql.query(manager, INSERT_SESSION_IF_MISSING, sessionValues(session));
  if (inserted.length === 0) return false;
  await insertParts(manager, sql, session);
  return true;
}

function sessionValues(session: NewSession): SqlValue[] {
  return [session.id, session.ownerId, session.serverMadeId ? 1 : 0, storableOrNull(session.title), Date.now()];
}

/** The session's event stream (so that the first turn's event log finds it with one read) and agent context. */
async function insertParts(manager: EntityManager, sql: PreparedStatements, session: NewSession): Promise<void> {
  const now = Date.now();
  const context = session.context ?? FRESH_CONTEXT;
  await sql.query(manager, INSERT_STREAM, [session.id, randomUUID(), now]);
  await sql.query(manager, INSERT_CONTEXT, [
    session.id,
    context.currentAgent,
    JSON.stringify(context.agentHistory),
    '{}',
    now,
    context.lastSwitchAt ? context.lastSwitchAt.getTime() : null,
    context.switchCount,
  ]);
}

/** Rows per INSERT: 9 parameters each stays far below either database's parameter limit. */
const MESSAGE_CHUNK = 500;

/** Appends messages with seq 0..n-1 to a session just created by `insertSession`, and counts them. */
export async function insertMessages(manager: EntityManager, sessionId: string, messages: readonly NewMessage[]): Promise<void> {
  const now = new Date();
  for (let start = 0; start < messages.length; start += MESSAGE_CHUNK) {
    await manager.insert(
      MessageEntity,
      messages.slice(start, start + MESSAGE_CHUNK).map((m, i) => ({
        sessionId,
        seq: start + i,
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
  await manager.update(SessionEntity, { id: sessionId }, { messageCount: messages.length, lastActivity: now });
}
