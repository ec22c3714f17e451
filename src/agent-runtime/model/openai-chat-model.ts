import { randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { Logger } from '@nestjs/common';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
  ChatCompletionFunctionTool,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import type { LlmConfig } from '../../config/app-config';
import type { ChatMessage } from '../../protocol/chat-message';
import type { ToolSpec } from '../../protocol/tools';
import { createAbortError, isAbortError } from './abort';
import { ModelError, type ChatModel, type ModelEvent, type ModelRequest, type ModelToolCall } from './chat-model';

/** The part of {@link LlmConfig} this provider reads. */
export type OpenAiChatModelConfig = Pick<LlmConfig, 'baseUrl' | 'apiKey' | 'model' | 'timeoutMs' | 'maxRetries'>;

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * A {@link ChatModel} backed by any OpenAI-compatible Chat Completions server (OpenAI, Ollama, vLLM,
 * LM Studio, LiteLLM), through the official `openai` SDK.
 *
 * Retries (verified in `node_modules/openai/src/client.ts` v6.49, `makeRequest`/`shouldRetry`/`retryRequest`):
 * - the SDK makes at most `1 + maxRetries` attempts of one call;
 * - it retries network errors (connection refused/reset, DNS, its own per-attempt timeout) and HTTP
 *   408, 409, 429 and every status >= 500. Other statuses (400, 401, 403, 404, 422…) fail at once.
 *   A response header `x-should-retry: true|false` overrides that choice;
 * - the wait before retry n (n = 1, 2, …) is `min(0.5 s × 2^(n-1), 8 s)` multiplied by a jitter factor
 *   drawn from (0.75, 1], unless the server sends `retry-after-ms` (milliseconds) or `retry-after`
 *   (seconds or an HTTP date), which the SDK obeys as is, with no upper bound (this class refuses a wait
 *   that would end after the deadline below: the call then fails at once with the server's status);
 * - a request is never retried once the response headers have arrived, so a stream that broke midway is
 *   never replayed (no duplicated text);
 * - the SDK `timeout` only covers one attempt up to the response headers (`fetchWithTimeout` clears its
 *   timer when `fetch` resolves), and its back-off sleep ignores the abort signal.
 *
 * Because of the last two points this class adds a whole-call deadline of `timeoutMs` covering every
 * attempt, every back-off wait and the streamed body, and it stops waiting at once when the caller's
 * signal fires (the SDK's own promise is then left to settle in the background, its request aborted).
 * In practice a per-attempt SDK timeout is therefore pre-empted by the deadline, so attempts that time
 * out are not retried: retries happen for fast failures (refused connections, 429, 5xx).
 *
 * Errors: the caller's abort → an error named `AbortError` ({@link isAbortError}); anything else →
 * {@link ModelError} with a short message that is safe to show (no stack, no API key).
 * Logs carry sizes, counts, durations and statuses only, never message contents or the key.
 */
export class OpenAiChatModel implements ChatModel {
  readonly name = 'openai';
  private readonly logger = new Logger(OpenAiChatModel.name);
  private readonly client: OpenAI;
  private readonly model: string;
  private readonly timeoutMs: number;
  private readonly apiKey: string | undefined;
  /** The base URL without credentials or query, for messages. */
  private readonly displayUrl: string;

  constructor(config: OpenAiChatModelConfig) {
    const baseURL = config.baseUrl ?? DEFAULT_BASE_URL;
    this.model = config.model;
    this.timeoutMs = config.timeoutMs;
    this.apiKey = config.apiKey ? config.apiKey : undefined;
    this.displayUrl = displayUrl(baseURL);
    const sdkLogger = this.logger;
    const forSdk = (message: string): string => `openai sdk: ${this.redact(message)}`;
    this.client = new OpenAI({
      baseURL,
      // Local servers (Ollama, LM Studio, vLLM) accept any key; the SDK refuses to start without one.
      apiKey: this.apiKey ?? 'not-needed',
      // Passed explicitly so that the SDK does not pick them up from OPENAI_* environment variables.
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      timeout: config.timeoutMs,
      maxRetries: config.maxRetries,
      // The SDK's `info` lines name the attempt, URL, status and whether it retries; only the first
      // argument (the message) is forwarded, as later arguments may hold request details or raw chunks.
      logLevel: 'info',
      logger: {
        error: (message: string) => sdkLogger.error(forSdk(message)),
        warn: (message: string) => sdkLogger.warn(forSdk(message)),
        info: (message: string) => sdkLogger.debug(forSdk(message)),
        debug: () => undefined,
      },
    });
  }

  async *stream(request: ModelRequest): AsyncGenerator<ModelEvent, void, undefined> {
    const call = new ModelCall(request.signal, this.timeoutMs);
    const startedAt = Date.now();
    let textChars = 0;
    let toolCallCount = 0;
    let finishReason: string | null = null;
    try {
      call.throwIfStopped();
      const tools = request.tools.map(toOpenAiTool);
      const params: ChatCompletionCreateParamsStreaming = {
        model: this.model,
        messages: toOpenAiMessages(request.messages),
        stream: true,
        ...(tools.length > 0 ? { tools } : {}),
      };
      this.logger.debug(
        `stream: ${describeMessages(request.messages)}, ${tools.length} tools, model ${this.model}`,
      );
      const chunks = await call.race(this.clientFor(call).chat.completions.create(params, { signal: call.signal }));
      const toolCalls = new ToolCallAssembler();
      for await (const chunk of chunks) {
        const choice = firstChoice(chunk);
        if (choice === undefined) continue; // e.g. a trailing usage chunk
        const { content, refusal, tool_calls: toolCallDeltas } = choice.delta;
        // A refusal replaces the content; showing it beats an empty answer.
        const text = content ? content : refusal ? refusal : '';
        if (text.length > 0) {
          textChars += text.length;
          yield { type: 'text', delta: text };
        }
        for (const delta of toolCallDeltas ?? []) toolCalls.add(delta);
        if (choice.finish_reason) finishReason = choice.finish_reason;
      }
      // The SDK ends the iteration quietly when the request is aborted mid-body: tell that apart here.
      call.throwIfStopped();
      const calls = toolCalls.finish();
      toolCallCount = calls.length;
      this.logger.debug(
        `stream done in ${Date.now() - startedAt} ms: ${textChars} text chars, ${toolCallCount} tool calls, ` +
          `finish_reason ${finishReason ?? 'none'}`,
      );
      if (calls.length > 0) yield { type: 'tool_calls', calls };
    } catch (err) {
      throw this.failure(call, err, 'stream', startedAt);
    } finally {
      // Also reached when the consumer stops iterating early: the request is then cancelled.
      call.dispose();
    }
  }

  async complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    const call = new ModelCall(request.signal, this.timeoutMs);
    const startedAt = Date.now();
    try {
      call.throwIfStopped();
      const params: ChatCompletionCreateParamsNonStreaming = {
        model: this.model,
        messages: toOpenAiMessages(request.messages),
        stream: false,
      };
      this.logger.debug(`complete: ${describeMessages(request.messages)}, model ${this.model}`);
      const completion = await call.race(this.clientFor(call).chat.completions.create(params, { signal: call.signal }));
      const text = completion.choices[0]?.message.content ?? '';
      this.logger.debug(`complete done in ${Date.now() - startedAt} ms: ${text.length} text chars`);
      return text;
    } catch (err) {
      throw this.failure(call, err, 'complete', startedAt);
    } finally {
      call.dispose();
    }
  }

  /**
   * The client for one call: its `fetch` marks an error response as not retryable (`x-should-retry: false`,
   * which the SDK obeys) when the server asks for a wait that would end after the call's deadline, so that
   * the caller gets the real status now rather than a timeout later.
   */
  private clientFor(call: ModelCall): OpenAI {
    const fetchWithinDeadline = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const response = await fetch(input, init);
      if (response.ok || response.headers.has('x-should-retry')) return response;
      const waitMs = retryAfterMs(response.headers);
      if (waitMs === undefined || waitMs < call.remainingMs()) return response;
      const headers = new Headers(response.headers);
      headers.set('x-should-retry', 'false');
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
    };
    return this.client.withOptions({ fetch: fetchWithinDeadline });
  }

  /** Turns whatever a call threw into the error its caller sees, and logs it (without contents). */
  private failure(call: ModelCall, err: unknown, what: string, startedAt: number): Error {
    const elapsed = Date.now() - startedAt;
    if (call.aborted || (isAbortError(err) && !call.timedOut)) {
      this.logger.debug(`${what} aborted by the caller after ${elapsed} ms`);
      return createAbortError();
    }
    const error = this.toModelError(call, err);
    // The server's own wording (`detail`) stays out of the log: some servers echo the request in it.
    const summary = error.detail === undefined ? error.message : error.message.slice(0, -error.detail.length - 2);
    this.logger.warn(`${what} failed after ${elapsed} ms: ${summary} [${describeCause(err)}]`);
    return error;
  }

  private toModelError(call: ModelCall, err: unknown): ModelError & { detail?: string } {
    if (err instanceof ModelError) return err;
    if (call.timedOut || err instanceof APIConnectionTimeoutError) {
      return new ModelError(`Model request timed out after ${this.timeoutMs} ms`, undefined, 'timeout');
    }
    if (err instanceof APIConnectionError) {
      return new ModelError(`Could not reach the model server at ${this.displayUrl}`, undefined, 'network');
    }
    if (err instanceof APIError) {
      const detail = this.serverDetail(err.error);
      if (typeof err.status === 'number') {
        const status = `${err.status} ${STATUS_CODES[err.status] ?? 'Error'}`;
        // 4xx details are actionable (unknown model, bad key, context too long); 5xx ones are noise at best.
        const shown = err.status < 500 ? detail : undefined;
        return withDetail(`Model request failed: ${status}`, shown, err.status);
      }
      // An `error` event inside an otherwise successful stream.
      return withDetail('The model server reported an error', detail, undefined);
    }
    // Errors are matched by name: those raised inside undici may come from another realm (e.g. under jest).
    if (errorName(err) === 'SyntaxError') return new ModelError('The model server sent an invalid response', undefined, 'invalid_response');
    // undici fails a body read with `TypeError: terminated` (cause: `SocketError: other side closed`).
    if (errorName(err) === 'TypeError' && hasMessage(err) && err.message === 'terminated') {
      return new ModelError(`The connection to the model server at ${this.displayUrl} was lost`, undefined, 'network');
    }
    return new ModelError('Model request failed');
  }

  /** The server's own error message: one line, at most 200 chars, with the API key blanked out. */
  private serverDetail(body: unknown): string | undefined {
    if (typeof body !== 'object' || body === null || !('message' in body) || typeof body.message !== 'string') {
      return undefined;
    }
    let message = this.redact(body.message.replace(/\s+/g, ' ').trim());
    if (message.length > 200) message = `${message.slice(0, 199)}…`;
    return message.length > 0 ? message : undefined;
  }

  /** `text` without the API key or URL credentials (`//user:password@`). */
  private redact(text: string): string {
    const withoutKey = this.apiKey && this.apiKey.length >= 4 ? text.split(this.apiKey).join('***') : text;
    return withoutKey.replace(/\/\/[^/@\s]+@/g, '//');
  }
}

/**
 * One model call's cancellation: the caller's signal plus the whole-call deadline, merged into the
 * signal handed to the SDK.
 */
class ModelCall {
  private readonly controller = new AbortController();
  private readonly deadline: number;
  private readonly timer: NodeJS.Timeout;
  private readonly onCallerAbort = (): void => this.controller.abort();
  timedOut = false;

  constructor(
    private readonly callerSignal: AbortSignal,
    timeoutMs: number,
  ) {
    this.deadline = Date.now() + timeoutMs;
    if (callerSignal.aborted) this.controller.abort();
    else callerSignal.addEventListener('abort', this.onCallerAbort, { once: true });
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort();
    }, timeoutMs);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remainingMs(): number {
    return this.deadline - Date.now();
  }

  get aborted(): boolean {
    return this.callerSignal.aborted;
  }

  throwIfStopped(): void {
    if (this.controller.signal.aborted || this.callerSignal.aborted) throw createAbortError();
  }

  /** Settles with `promise`, or rejects as soon as the call is aborted or times out. */
  race<T>(promise: Promise<T>): Promise<T> {
    // If we stop waiting, the SDK's promise still settles later (usually with APIUserAbortError).
    promise.catch(() => undefined);
    return new Promise<T>((resolve, reject) => {
      const signal = this.controller.signal;
      const onStop = (): void => reject(createAbortError());
      if (signal.aborted) return onStop();
      signal.addEventListener('abort', onStop, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onStop);
          resolve(value);
        },
        (err: unknown) => {
          signal.removeEventListener('abort', onStop);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal.removeEventListener('abort', this.onCallerAbort);
    // Cancels whatever is still in flight (an early `break` by the consumer); a no-op after completion.
    this.controller.abort();
  }
}

/** Assembles streamed tool-call deltas: id and name come first, the arguments in pieces, keyed by `index`. */
class ToolCallAssembler {
  private readonly calls = new Map<number, { id: string; name: string; arguments: string }>();
  private lastIndex: number | undefined;

  add(delta: ChatCompletionChunk.Choice.Delta.ToolCall): void {
    const index = this.indexOf(delta);
    this.lastIndex = index;
    let call = this.calls.get(index);
    if (call === undefined) {
      call = { id: '', name: '', arguments: '' };
      this.calls.set(index, call);
    }
    if (delta.id && !call.id) call.id = delta.id;
    const name = delta.function?.name;
    // Some servers repeat the name in every delta; others (rarely) split it.
    if (name && name !== call.name) call.name += name;
    const args = delta.function?.arguments;
    if (args) call.arguments += args;
  }

  finish(): ModelToolCall[] {
    return [...this.calls.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, call]) => ({
        id: call.id || `call_${randomBytes(12).toString('hex')}`,
        name: call.name,
        // A tool without parameters is often called with no arguments at all.
        arguments: call.arguments.trim() === '' ? '{}' : call.arguments,
      }));
  }

  /** `index` is required by the spec, but a few compatible servers leave it out. */
  private indexOf(delta: ChatCompletionChunk.Choice.Delta.ToolCall): number {
    if (typeof delta.index === 'number') return delta.index;
    const known = [...this.calls.entries()].find(([, call]) => delta.id !== undefined && call.id === delta.id);
    if (known) return known[0];
    if (delta.id || this.lastIndex === undefined) return this.calls.size === 0 ? 0 : Math.max(...this.calls.keys()) + 1;
    return this.lastIndex;
  }
}

/** A ModelError whose message ends with `: <detail>` (the server's words), remembered apart for logging. */
function withDetail(message: string, detail: string | undefined, status: number | undefined): ModelError & { detail?: string } {
  if (detail === undefined) return new ModelError(message, status);
  return Object.assign(new ModelError(`${message}: ${detail}`, status), { detail });
}

/** The wait a response asks for before a retry, read the way the SDK reads it (`retry-after-ms`, then `retry-after`). */
function retryAfterMs(headers: Headers): number | undefined {
  const millis = parseFloat(headers.get('retry-after-ms') ?? '');
  if (!Number.isNaN(millis) && millis > 0) return millis;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = parseFloat(value);
  if (!Number.isNaN(seconds)) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date - Date.now();
}

/** The choice to read (we ask for one); `undefined` for chunks without one (usage, keep-alive, odd servers). */
function firstChoice(chunk: ChatCompletionChunk): ChatCompletionChunk.Choice | undefined {
  const choices: unknown = chunk.choices;
  if (!Array.isArray(choices)) return undefined;
  const choice = chunk.choices.find((candidate) => candidate.index === 0) ?? chunk.choices[0];
  const delta: unknown = choice?.delta;
  return typeof delta === 'object' && delta !== null ? choice : undefined;
}

/** Our history (already in OpenAI form) as the SDK's request types. */
function toOpenAiMessages(messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  return messages.map(toOpenAiMessage);
}

function toOpenAiMessage(message: ChatMessage): ChatCompletionMessageParam {
  const name = message.name ? { name: message.name } : {};
  switch (message.role) {
    case 'system':
      return { role: 'system', content: message.content ?? '', ...name };
    case 'user':
      return { role: 'user', content: message.content ?? '', ...name };
    case 'assistant': {
      const toolCalls = (message.tool_calls ?? []).map(
        (call): ChatCompletionMessageFunctionToolCall => ({
          id: call.id,
          type: 'function',
          function: { name: call.function.name, arguments: call.function.arguments },
        }),
      );
      if (toolCalls.length > 0) return { role: 'assistant', content: message.content, tool_calls: toolCalls, ...name };
      return { role: 'assistant', content: message.content ?? '', ...name };
    }
    case 'tool':
      if (!message.tool_call_id) {
        throw new ModelError('The conversation history is invalid: a tool result has no tool_call_id');
      }
      return { role: 'tool', content: message.content ?? '', tool_call_id: message.tool_call_id };
    default: {
      const unknownRole: never = message.role;
      throw new ModelError(`The conversation history is invalid: unknown role ${String(unknownRole)}`);
    }
  }
}

function toOpenAiTool(tool: ToolSpec): ChatCompletionFunctionTool {
  const { name, description, parameters } = tool.function;
  return {
    type: 'function',
    function: {
      name,
      description,
      parameters: { type: parameters.type, properties: parameters.properties, required: [...parameters.required] },
    },
  };
}

function describeMessages(messages: readonly ChatMessage[]): string {
  const chars = messages.reduce((sum, message) => sum + (message.content?.length ?? 0), 0);
  return `${messages.length} messages (${chars} chars)`;
}

function errorName(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'name' in err && typeof err.name === 'string' ? err.name : undefined;
}

function hasMessage(err: unknown): err is { message: string } {
  return typeof err === 'object' && err !== null && 'message' in err && typeof err.message === 'string';
}

/** Error class and cause codes for the log (e.g. `APIConnectionError/TypeError/ECONNREFUSED`), never messages. */
function describeCause(err: unknown): string {
  const parts: string[] = [];
  let current: unknown = err;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
    const className = current.constructor.name === 'Error' ? errorName(current) : current.constructor.name;
    parts.push(code ?? className ?? 'Error');
    if (current instanceof APIError && typeof current.status === 'number') parts.push(String(current.status));
    current = 'cause' in current ? current.cause : undefined;
  }
  return parts.length > 0 ? parts.join('/') : typeof err;
}

/** `url` without user info, query or fragment. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname.replace(/\/+$/, '')}`;
  } catch {
    return '(invalid URL)';
  }
}

