import type { ServerFrame } from '../../protocol/server-frames';

/** Why a running turn was stopped early. */
export type AbortReason = 'cancelled' | 'shutdown';

/** What a turn handler gets: the session, an abort signal, and the way to send frames. */
export interface TurnContext {
  readonly sessionId: string;
  readonly signal: AbortSignal;
  /** False for turns without an IDE (gRPC, MCP): the model is offered no tools. */
  readonly offerTools: boolean;
  emit(frame: ServerFrame): void;
}

export function abortReasonOf(signal: AbortSignal): AbortReason {
  return signal.reason === 'shutdown' ? 'shutdown' : 'cancelled';
}
