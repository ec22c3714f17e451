import type { ServerFrame } from '../../protocol/server-frames';

/** What a turn handler gets: the session, an abort signal, and the way to send frames. */
export interface TurnContext {
  readonly sessionId: string;
  readonly signal: AbortSignal;
  /** False for turns without an IDE (gRPC, MCP): the model is offered no tools. */
  readonly offerTools: boolean;
  emit(frame: ServerFrame): void;
}
