/**
 * A scriptable fake OpenAI-compatible Chat Completions server for tests (real HTTP on 127.0.0.1).
 *
 * ```ts
 * const fake = await FakeOpenAiServer.start();
 * // point the service at it: LLM_PROVIDER=openai LLM_BASE_URL=fake.baseUrl (http://127.0.0.1:PORT/v1)
 * fake.enqueue({ kind: 'text', chunks: ['Hel', 'lo'] });
 * fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"a.ts"}' }] });
 * fake.enqueue({ kind: 'error', status: 500 });
 * fake.enqueue({ kind: 'hang', chunks: ['partial'] });
 * // … run the code under test …
 * expect(fake.requests[0]?.body).toMatchObject({ model: 'm', stream: true });
 * await fake.waitForClientAbort(); // the client closed the hanging stream
 * await fake.close();
 * ```
 *
 * - `POST <any prefix>/chat/completions` (so both `…/v1` and a base without `/v1` work) answers with the
 *   next scripted reply (FIFO), streamed as real SSE when the request has `"stream": true`, as one JSON
 *   `chat.completion` otherwise. Every request is recorded in {@link FakeOpenAiServer.requests}, including
 *   the ones answered with an error or rejected as malformed.
 * - With an empty queue it answers {@link FakeOpenAiServerOptions.defaultReply}, by default the text
 *   `You said: <last user message>` streamed word by word.
 * - `GET <prefix>/models` lists one model; anything else is a 404 in OpenAI's error format.
 * - A request that is not a JSON object with a `messages` array gets a 400 and consumes no reply.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCompletion, ChatCompletionChunk } from 'openai/resources/chat/completions';
import { isJsonObject, type JsonObject, type JsonValue } from '../../src/protocol/json';

export interface FakeToolCall {
  /** Left out: the fake sends no id, as some servers do. */
  readonly id?: string;
  readonly name: string;
  /** The JSON string sent as the call's `arguments`, split over several chunks when streamed. */
  readonly arguments: string;
}

interface StreamTiming {
  /** Wait before sending anything at all (headers included). */
  readonly delayMs?: number;
  /** Wait between two streamed chunks. */
  readonly chunkDelayMs?: number;
}

/** A streamed (or, for a non-streamed request, joined) text answer. */
export interface FakeTextReply extends StreamTiming {
  readonly kind: 'text';
  readonly chunks: readonly string[];
  /** Default `stop`. */
  readonly finishReason?: ChatCompletionChunk.Choice['finish_reason'];
}

/** An answer with tool calls: each call's first chunk carries id + name, its arguments follow in pieces. */
export interface FakeToolCallsReply extends StreamTiming {
  readonly kind: 'tool_calls';
  readonly calls: readonly FakeToolCall[];
  /** Text streamed before the tool calls (some models "think aloud"). */
  readonly text?: readonly string[];
  /** How many chunks each call's arguments are split into; default 3. */
  readonly argumentPieces?: number;
}

/** An HTTP error with an OpenAI-style body `{ error: { message, type, param, code } }`. */
export interface FakeErrorReply {
  readonly kind: 'error';
  readonly status: number;
  readonly message?: string;
  readonly type?: string;
  readonly code?: string | null;
  /**
   * Sent as `retry-after` (seconds). Default 0, so that SDK retries happen without back-off and tests
   * stay fast; `null` sends no header (the client then uses its own back-off).
   */
  readonly retryAfterSeconds?: number | null;
  readonly headers?: Readonly<Record<string, string>>;
  readonly delayMs?: number;
}

/**
 * Sends `chunks` (streamed requests only), then neither sends more nor ends the response until the
 * client disconnects or the server closes. With `sendHeaders: false` not even the headers are sent.
 */
export interface FakeHangReply extends StreamTiming {
  readonly kind: 'hang';
  readonly chunks?: readonly string[];
  /** Default true. */
  readonly sendHeaders?: boolean;
}

/**
 * Destroys the connection: a network error for the client. Without `chunks` nothing is answered at all
 * (the client may retry); with `chunks` (streamed requests only) those are sent first, as if the server
 * crashed mid-answer.
 */
export interface FakeDropReply extends StreamTiming {
  readonly kind: 'drop';
  readonly chunks?: readonly string[];
}

/** Any literal response, e.g. a malformed stream. */
export interface FakeRawReply {
  readonly kind: 'raw';
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
  readonly delayMs?: number;
}

export type FakeReply =
  | FakeTextReply
  | FakeToolCallsReply
  | FakeErrorReply
  | FakeHangReply
  | FakeDropReply
  | FakeRawReply;

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Lower-cased header names, as Node parses them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body; `undefined` when the body is empty or not JSON. */
  readonly body: JsonValue | undefined;
  readonly rawBody: string;
  /** What the fake answered: a scripted reply's kind, `default`, `models`, or `invalid`/`not_found`. */
  readonly answeredWith: FakeReply['kind'] | 'default' | 'models' | 'invalid' | 'not_found';
}

export interface FakeOpenAiServerOptions {
  /** What to answer when the queue is empty. */
  readonly defaultReply?: (request: RecordedRequest) => FakeReply;
  /** The model named in responses when the request names none, and listed by `/models`. Default `fake-model`. */
  readonly modelName?: string;
}

/** Default wait of {@link FakeOpenAiServer.waitForRequests} / {@link FakeOpenAiServer.waitForClientAbort}. */
const DEFAULT_WAIT_MS = 5_000;

export class FakeOpenAiServer {
  /** Every request received, in order. */
  readonly requests: RecordedRequest[] = [];
  private readonly queue: FakeReply[] = [];
  private readonly inFlight = new Set<AbortController>();
  private readonly listeners = new Set<() => void>();
  private abortCount = 0;
  /** Bumped by `reset()`, so that responses still open from before do not count as aborts after it. */
  private generation = 0;
  private closing = false;
  private completionCounter = 0;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly options: FakeOpenAiServerOptions,
  ) {}

  /** Starts a server on 127.0.0.1 on a free port. */
  static async start(options: FakeOpenAiServerOptions = {}): Promise<FakeOpenAiServer> {
    let fake: FakeOpenAiServer | undefined;
    const server = createServer((req, res) => {
      if (fake === undefined) {
        res.destroy();
        return;
      }
      fake.handle(req, res).catch(() => {
        if (!res.headersSent && !res.destroyed) res.destroy();
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('FakeOpenAiServer: no TCP address');
    fake = new FakeOpenAiServer(server, (address satisfies AddressInfo).port, options);
    return fake;
  }

  /** The base URL to configure (`LLM_BASE_URL`): `http://127.0.0.1:PORT/v1`. */
  get baseUrl(): string {
    return `${this.rootUrl}/v1`;
  }

  /** `http://127.0.0.1:PORT`, for clients configured without the `/v1` prefix. */
  get rootUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Adds replies, answered in order, one per chat-completions request. */
  enqueue(...replies: FakeReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** Scripted replies not consumed yet. */
  /** How many responses the client closed before the fake finished them (aborts, cancelled streams). */
  get clientAborts(): number {
    return this.abortCount;
  }

  /** The most recent request, if any. */
  get lastRequest(): RecordedRequest | undefined {
    return this.requests[this.requests.length - 1];
  }

  /** The JSON object body of request `index` (negative counts from the end); throws if there is none. */
  body(index = -1): JsonObject {
    const request = this.requests.at(index);
    if (request === undefined) throw new Error(`FakeOpenAiServer: no request #${index} (got ${this.requests.length})`);
    if (!isJsonObject(request.body)) throw new Error(`FakeOpenAiServer: request #${index} has no JSON object body`);
    return request.body;
  }

  /**
   * Forgets recorded requests, scripted replies and the abort count (e.g. between tests). Responses
   * still open keep going, but their closing is no longer counted.
   */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.abortCount = 0;
    this.generation++;
  }

  /** Resolves once at least `count` requests were received (counting from start or the last reset). */
  waitForRequests(count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => this.requests.length >= count, `${count} request(s)`, timeoutMs);
  }

  /** Resolves once the client has closed at least `count` unfinished responses in total. */
  waitForClientAbort(count = 1, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    return this.waitFor(() => this.abortCount >= count, `${count} client abort(s)`, timeoutMs);
  }

  /** Stops the server, cutting hanging responses and open keep-alive connections. */
  async close(): Promise<void> {
    this.closing = true;
    for (const controller of this.inFlight) controller.abort();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private waitFor(done: () => boolean, what: string, timeoutMs: number): Promise<void> {
    if (done()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if (!done()) return;
        finish();
        resolve();
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`FakeOpenAiServer: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const finish = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
    });
  }

  private changed(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = req.url ?? '/';
    const pathname = path.split('?')[0] ?? '/';
    const body = parseJson(rawBody);
    const record = (answeredWith: RecordedRequest['answeredWith']): RecordedRequest => {
      const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, body, rawBody, answeredWith };
      this.requests.push(recorded);
      this.changed();
      return recorded;
    };

    if (req.method === 'GET' && pathname.endsWith('/models')) {
      record('models');
      const id = this.options.modelName ?? 'fake-model';
      sendJson(res, 200, { object: 'list', data: [{ id, object: 'model', created: 0, owned_by: 'fake' }] });
      return;
    }
    if (req.method !== 'POST' || !pathname.endsWith('/chat/completions')) {
      record('not_found');
      sendJson(res, 404, errorBody(`Unknown route: ${req.method ?? ''} ${pathname}`, 'invalid_request_error', null));
      return;
    }
    if (!isJsonObject(body) || !Array.isArray(body['messages'])) {
      record('invalid');
      sendJson(res, 400, errorBody('The body must be a JSON object with a messages array', 'invalid_request_error', null));
      return;
    }

    const scripted = this.queue.shift();
    const recorded = record(scripted?.kind ?? 'default');
    const reply = scripted ?? (this.options.defaultReply ?? defaultEcho)(recorded);
    const model = typeof body['model'] === 'string' ? body['model'] : (this.options.modelName ?? 'fake-model');
    await this.answer(reply, { res, streamed: body['stream'] === true, model });
  }

  private async answer(reply: FakeReply, target: { res: ServerResponse; streamed: boolean; model: string }): Promise<void> {
    const { res } = target;
    const controller = new AbortController();
    this.inFlight.add(controller);
    let endedByServer = false;
    const generation = this.generation;
    res.on('close', () => {
      this.inFlight.delete(controller);
      controller.abort();
      if (!res.writableFinished && !endedByServer && !this.closing && generation === this.generation) {
        this.abortCount++;
        this.changed();
      }
    });
    const { signal } = controller;
    const wait = async (ms: number | undefined): Promise<boolean> => {
      if (ms !== undefined && ms > 0) await sleep(ms, undefined, { signal }).catch(() => undefined);
      return !signal.aborted;
    };
    const completion = new CompletionWriter(res, target.model, `chatcmpl-fake-${++this.completionCounter}`);

    if (!(await wait(reply.delayMs))) return;
    switch (reply.kind) {
      case 'error': {
        const retryAfter = reply.retryAfterSeconds === undefined ? 0 : reply.retryAfterSeconds;
        const headers: Record<string, string> = {
          ...(retryAfter === null ? {} : { 'retry-after': String(retryAfter) }),
          ...reply.headers,
        };
        const type = reply.type ?? (reply.status >= 500 ? 'server_error' : 'invalid_request_error');
        const message = reply.message ?? `Fake error ${reply.status}`;
        sendJson(res, reply.status, errorBody(message, type, reply.code ?? null), headers);
        return;
      }
      case 'drop':
        if (reply.chunks !== undefined && target.streamed) {
          completion.startStream();
          completion.send({ role: 'assistant', content: '' });
          for (const piece of reply.chunks) {
            if (!(await wait(reply.chunkDelayMs))) return;
            completion.send({ content: piece });
          }
        }
        endedByServer = true;
        // `end` flushes what was written before closing; `destroy` would drop it.
        if (res.headersSent) res.socket?.end();
        else res.socket?.destroy();
        return;
      case 'raw':
        res.writeHead(reply.status ?? 200, { ...reply.headers });
        res.end(reply.body);
        return;
      case 'text':
        if (!target.streamed) {
          sendJson(res, 200, completion.message(reply.chunks.join(''), [], reply.finishReason ?? 'stop'));
          return;
        }
        completion.startStream();
        completion.send({ role: 'assistant', content: '' });
        for (const piece of reply.chunks) {
          if (!(await wait(reply.chunkDelayMs))) return;
          completion.send({ content: piece });
        }
        if (!(await wait(reply.chunkDelayMs))) return;
        completion.send({}, reply.finishReason ?? 'stop');
        completion.endStream();
        return;
      case 'tool_calls': {
        const { calls } = reply;
        if (!target.streamed) {
          sendJson(res, 200, completion.message(reply.text ? reply.text.join('') : null, calls, 'tool_calls'));
          return;
        }
        completion.startStream();
        completion.send({ role: 'assistant', content: reply.text ? '' : null });
        for (const piece of reply.text ?? []) {
          if (!(await wait(reply.chunkDelayMs))) return;
          completion.send({ content: piece });
        }
        for (const [index, call] of calls.entries()) {
          if (!(await wait(reply.chunkDelayMs))) return;
          completion.send({
            tool_calls: [
              { index, ...(call.id === undefined ? {} : { id: call.id }), type: 'function', function: { name: call.name, arguments: '' } },
            ],
          });
          for (const piece of splitInPieces(call.arguments, reply.argumentPieces ?? 3)) {
            if (!(await wait(reply.chunkDelayMs))) return;
            completion.send({ tool_calls: [{ index, function: { arguments: piece } }] });
          }
        }
        if (!(await wait(reply.chunkDelayMs))) return;
        completion.send({}, 'tool_calls');
        completion.endStream();
        return;
      }
      case 'hang':
        if (reply.sendHeaders !== false) {
          if (target.streamed) {
            completion.startStream();
            completion.send({ role: 'assistant', content: '' });
            for (const piece of reply.chunks ?? []) {
              if (!(await wait(reply.chunkDelayMs))) return;
              completion.send({ content: piece });
            }
          } else {
            res.writeHead(200, { 'content-type': 'application/json' });
            res.flushHeaders();
          }
        }
        // Until the client goes away or the server closes.
        await new Promise<void>((resolve) => {
          if (signal.aborted) resolve();
          else signal.addEventListener('abort', () => resolve(), { once: true });
        });
        return;
      default: {
        const unknown: never = reply;
        throw new Error(`FakeOpenAiServer: unknown reply ${JSON.stringify(unknown)}`);
      }
    }
  }
}

/** Writes `chat.completion.chunk` SSE events and `chat.completion` objects of one answer. */
class CompletionWriter {
  private readonly created = Math.floor(Date.now() / 1000);

  constructor(
    private readonly res: ServerResponse,
    private readonly model: string,
    private readonly id: string,
  ) {}

  startStream(): void {
    this.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    this.res.flushHeaders();
  }

  send(delta: ChatCompletionChunk.Choice.Delta, finishReason: ChatCompletionChunk.Choice['finish_reason'] = null): void {
    if (this.res.destroyed) return;
    const chunk: ChatCompletionChunk = {
      id: this.id,
      object: 'chat.completion.chunk',
      created: this.created,
      model: this.model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    this.res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  }

  endStream(): void {
    if (this.res.destroyed) return;
    this.res.end('data: [DONE]\n\n');
  }

  message(
    content: string | null,
    calls: readonly FakeToolCall[],
    finishReason: ChatCompletion.Choice['finish_reason'],
  ): ChatCompletion {
    return {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices: [
        {
          index: 0,
          logprobs: null,
          finish_reason: finishReason,
          message: {
            role: 'assistant',
            content,
            refusal: null,
            ...(calls.length > 0
              ? {
                  tool_calls: calls.map((call) => ({
                    id: call.id ?? `call_${randomBytes(6).toString('hex')}`,
                    type: 'function' as const,
                    function: { name: call.name, arguments: call.arguments },
                  })),
                }
              : {}),
          },
        },
      ],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
  }
}

function defaultEcho(request: RecordedRequest): FakeReply {
  const messages = isJsonObject(request.body) ? request.body['messages'] : undefined;
  let last = '';
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (isJsonObject(message) && message['role'] === 'user' && typeof message['content'] === 'string') {
        last = message['content'];
      }
    }
  }
  return { kind: 'text', chunks: `You said: ${last}`.split(/(?<= )/) };
}

function errorBody(message: string, type: string, code: string | null): JsonObject {
  return { error: { message, type, param: null, code } };
}

function sendJson(res: ServerResponse, status: number, body: object, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** `text` cut into at most `pieces` consecutive, non-empty parts. */
function splitInPieces(text: string, pieces: number): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / Math.max(1, pieces));
  const parts: string[] = [];
  for (let start = 0; start < text.length; start += size) parts.push(text.slice(start, start + size));
  return parts;
}

function parseJson(text: string): JsonValue | undefined {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}
