import type { ServerFrame } from '../../protocol/server-frames';

/** What a turn handler gets: the session, an abort signal, and the way to send frames. */
export interface TurnContext {
  readonly sessionId: string;
  readonly signal: AbortSignal;
  emit(frame: ServerFrame): void;
}
