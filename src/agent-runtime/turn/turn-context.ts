import { sessionNotFound } from '../../common/domain.error';
import type { AgentType } from '../../protocol/agent-type';
import type { ServerFrame } from '../../protocol/server-frames';
import type { ConversationChanges } from '../../session/conversation-state';
import type { ConversationStore } from '../../session/conversation-store.service';

/** What a turn handler gets: the session, an abort signal, and the way to send frames. */
export interface TurnContext {
  readonly sessionId: string;
  readonly signal: AbortSignal;
  /** False for turns without an IDE (gRPC, MCP): the model is offered no tools. */
  readonly offerTools: boolean;
  /** The agent working on the turn so far (set when it is chosen; metrics label the turn with it). */
  agent?: AgentType;
  emit(frame: ServerFrame): void;
}

/**
 * Commits one step of the turn, unless the turn was stopped because its session was deleted: the id
 * may already belong to a new session (another user's), which must never receive a step of the old one.
 */
export async function commitStep(store: Pick<ConversationStore, 'commit'>, ctx: TurnContext, changes: ConversationChanges): Promise<void> {
  if (ctx.signal.aborted && ctx.signal.reason === 'deleted') throw sessionNotFound(ctx.sessionId);
  await store.commit(ctx.sessionId, changes);
}
