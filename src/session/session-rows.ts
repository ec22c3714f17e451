import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { storableOrNull } from '../database/storable-text';
import { AgentType } from '../protocol/agent-type';
import { AgentSwitchRecord, NewMessage } from './conversation-state';
import { AgentContextEntity } from './entities/agent-context.entity';
import { MessageEntity } from './entities/message.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionStreamEntity } from './entities/session-stream.entity';
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

/** Inserts a session row (no messages yet), its event stream and its agent context, inside the caller's transaction. */
export async function insertSession(
  manager: EntityManager,
  session: { id: string; title: string | null; ownerId: OwnerScope; serverMadeId?: boolean; context?: InitialAgentContext },
): Promise<void> {
  const now = new Date();
  const context = session.context ?? FRESH_CONTEXT;
  await manager.insert(SessionEntity, {
    id: session.id,
    ownerId: session.ownerId,
    serverMadeId: session.serverMadeId ?? false,
    title: storableOrNull(session.title),
    messageCount: 0,
    version: 0,
    createdAt: now,
    lastActivity: now,
  });
  // Its event stream too, so that the first turn's event log finds it with one read.
  await manager.insert(SessionStreamEntity, { sessionId: session.id, incarnation: randomUUID(), createdAt: now });
  await manager.insert(AgentContextEntity, {
    sessionId: session.id,
    currentAgent: context.currentAgent,
    agentHistory: [...context.agentHistory],
    contextMetadata: {},
    createdAt: now,
    lastSwitchAt: context.lastSwitchAt,
    switchCount: context.switchCount,
  });
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
