import type { ChatMessage } from '../../protocol/chat-message';
import type { ToolSpec } from '../../protocol/tools';

/** What a turn asks the model: the system prompt first, then the recent history. */
export interface ModelRequest {
  readonly messages: readonly ChatMessage[];
  readonly tools: readonly ToolSpec[];
  readonly signal: AbortSignal;
}

export interface ModelToolCall {
  readonly id: string;
  readonly name: string;
  /** The raw JSON string the model produced (validated by the runtime). */
  readonly arguments: string;
}

/** A streamed answer: text pieces as they arrive, then (at most once, at the end) the tool calls. */
export type ModelEvent =
  | { readonly type: 'text'; readonly delta: string }
  | { readonly type: 'tool_calls'; readonly calls: readonly ModelToolCall[] };

/** One model provider (the offline `echo`, or any OpenAI-compatible server). */
export interface ChatModel {
  readonly name: string;
  /** Streams one answer. Aborting `signal` stops the request; the iterator then throws an AbortError. */
  stream(request: ModelRequest): AsyncIterable<ModelEvent>;
  /** One non-streamed text completion without tools (used to classify requests). */
  complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string>;
}

export const CHAT_MODEL = Symbol('CHAT_MODEL');

/** Why a model call failed, as a bounded label for metrics. */
export type ModelErrorKind = 'http_4xx' | 'http_5xx' | 'timeout' | 'network' | 'stalled' | 'circuit_open' | 'invalid_response' | 'other';

/** A model call that failed after retries; `message` is safe to show to the user. */
export class ModelError extends Error {
  readonly kind: ModelErrorKind;

  constructor(
    message: string,
    readonly status?: number,
    kind?: ModelErrorKind,
  ) {
    super(message);
    this.name = 'ModelError';
    this.kind = kind ?? (status === undefined ? 'other' : status >= 500 ? 'http_5xx' : 'http_4xx');
  }
}
