import { expect } from '@jest/globals';
import { Logger, type LoggerService } from '@nestjs/common';
import { FakeOpenAiServer } from '../../../test/utils/fake-openai-server';
import type { ChatMessage } from '../../protocol/chat-message';
import { TOOL_SPECS } from '../../protocol/tools';
import { createAbortError, isAbortError } from './abort';
import { ModelError, type ModelEvent, type ModelRequest } from './chat-model';
import { OpenAiChatModel, type OpenAiChatModelConfig } from './openai-chat-model';
import { APIUserAbortError } from 'openai';

const API_KEY = 'sk-test-secret-key-1234';

/** Records every log line (and keeps the test output quiet). */
class RecordingLogger implements LoggerService {
  readonly lines: string[] = [];
  private readonly waiters: Array<{ pattern: RegExp; resolve: () => void }> = [];
  log(message: unknown): void {
    this.record(message);
  }
  error(message: unknown): void {
    this.record(message);
  }
  warn(message: unknown): void {
    this.record(message);
  }
  debug(message: unknown): void {
    this.record(message);
  }
  verbose(message: unknown): void {
    this.record(message);
  }

  /** Resolves when a line matching `pattern` is logged (now or later). */
  waitForLine(pattern: RegExp): Promise<void> {
    if (this.lines.some((line) => pattern.test(line))) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ pattern, resolve }));
  }

  private record(message: unknown): void {
    const line = String(message);
    this.lines.push(line);
    for (const waiter of this.waiters.filter((w) => w.pattern.test(line))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

describe('OpenAiChatModel', () => {
  let fake: FakeOpenAiServer;
  let logs: RecordingLogger;

  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
  });

  afterAll(async () => {
    await fake.close();
    Logger.overrideLogger(true);
  });

  beforeEach(() => {
    fake.reset();
    logs = new RecordingLogger();
    Logger.overrideLogger(logs);
  });

  function createModel(overrides: Partial<OpenAiChatModelConfig> = {}): OpenAiChatModel {
    return new OpenAiChatModel({
      baseUrl: fake.baseUrl,
      apiKey: API_KEY,
      model: 'test-model',
      timeoutMs: 3_000,
      maxRetries: 0,
      ...overrides,
    });
  }

  function request(overrides: Partial<ModelRequest> = {}): ModelRequest {
    return {
      messages: [{ role: 'user', content: 'Hi there' }],
      tools: [],
      signal: new AbortController().signal,
      ...overrides,
    };
  }

  async function collect(events: AsyncIterable<ModelEvent>): Promise<ModelEvent[]> {
    const out: ModelEvent[] = [];
    for await (const event of events) out.push(event);
    return out;
  }

  /** Collects events until the stream fails; returns both. */
  async function collectUntilError(events: AsyncIterable<ModelEvent>): Promise<{ events: ModelEvent[]; error: unknown }> {
    const out: ModelEvent[] = [];
    try {
      for await (const event of events) out.push(event);
    } catch (error) {
      return { events: out, error };
    }
    throw new Error(`the stream ended without an error after ${out.length} events`);
  }

  async function streamError(model: OpenAiChatModel, req: ModelRequest = request()): Promise<unknown> {
    return (await collectUntilError(model.stream(req))).error;
  }

  function expectModelError(error: unknown, message: string | RegExp, status?: number): void {
    expect(error).toBeInstanceOf(ModelError);
    if (!(error instanceof ModelError)) return;
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(error.status).toBe(status);
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toMatch(/\n\s+at /);
  }

  describe('streaming', () => {
    it('yields the text pieces in order, skipping empty deltas, and no tool_calls event', async () => {
      fake.enqueue({ kind: 'text', chunks: ['Hel', 'lo', ' wor', 'ld'] });

      const events = await collect(createModel().stream(request()));

      expect(events).toEqual([
        { type: 'text', delta: 'Hel' },
        { type: 'text', delta: 'lo' },
        { type: 'text', delta: ' wor' },
        { type: 'text', delta: 'ld' },
      ]);
    });

    it('yields each piece as it arrives, before the answer is complete', async () => {
      fake.enqueue({ kind: 'hang', chunks: ['first'] });
      const controller = new AbortController();
      const iterator = createModel().stream(request({ signal: controller.signal }))[Symbol.asyncIterator]();

      // The server is still holding the response open, so this can only come from incremental delivery.
      await expect(iterator.next()).resolves.toEqual({ done: false, value: { type: 'text', delta: 'first' } });

      controller.abort();
      await expect(iterator.next()).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('yields nothing for an answer with neither text nor tool calls', async () => {
      fake.enqueue({ kind: 'text', chunks: [] });

      await expect(collect(createModel().stream(request()))).resolves.toEqual([]);
      expect(fake.requests).toHaveLength(1);
    });

    it('assembles a tool call whose arguments arrive in several deltas', async () => {
      fake.enqueue({
        kind: 'tool_calls',
        calls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"src/a.ts","start_line":1}' }],
        argumentPieces: 5,
      });

      const events = await collect(createModel().stream(request()));

      expect(events).toEqual([
        { type: 'tool_calls', calls: [{ id: 'call_1', name: 'read_file', arguments: '{"path":"src/a.ts","start_line":1}' }] },
      ]);
    });

    it('assembles two tool calls of one answer, in index order, after the streamed text', async () => {
      fake.enqueue({
        kind: 'tool_calls',
        text: ['Let me ', 'look.'],
        calls: [
          { id: 'call_a', name: 'read_file', arguments: '{"path":"a.ts"}' },
          { id: 'call_b', name: 'list_files', arguments: '{"path":".","recursive":true}' },
        ],
        argumentPieces: 3,
      });

      const events = await collect(createModel().stream(request()));

      expect(events).toEqual([
        { type: 'text', delta: 'Let me ' },
        { type: 'text', delta: 'look.' },
        {
          type: 'tool_calls',
          calls: [
            { id: 'call_a', name: 'read_file', arguments: '{"path":"a.ts"}' },
            { id: 'call_b', name: 'list_files', arguments: '{"path":".","recursive":true}' },
          ],
        },
      ]);
    });

    it('generates an id when the server sends none, and "{}" for empty arguments', async () => {
      fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'list_files', arguments: '' }] });

      const events = await collect(createModel().stream(request()));

      expect(events).toHaveLength(1);
      const [event] = events;
      if (event?.type !== 'tool_calls') throw new Error(`expected tool_calls, got ${JSON.stringify(event)}`);
      expect(event.calls).toHaveLength(1);
      expect(event.calls[0]).toEqual({ id: expect.stringMatching(/^call_[0-9a-f]{8,}$/), name: 'list_files', arguments: '{}' });
    });
  });

  describe('wire format', () => {
    const history: ChatMessage[] = [
      { role: 'system', content: 'You are a coder.' },
      { role: 'user', content: 'Read a.ts' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }],
      },
      { role: 'tool', content: 'export const a = 1;', tool_call_id: 'call_1' },
      { role: 'assistant', content: 'It exports a.' },
      { role: 'user', content: 'Thanks' },
    ];

    it('sends the model, stream:true, the messages and the tools in OpenAI form, with the Bearer key', async () => {
      fake.enqueue({ kind: 'text', chunks: ['ok'] });

      await collect(createModel().stream(request({ messages: history, tools: [TOOL_SPECS.read_file, TOOL_SPECS.write_file] })));

      expect(fake.requests).toHaveLength(1);
      const recorded = fake.requests[0];
      expect(recorded?.method).toBe('POST');
      expect(recorded?.path).toBe('/v1/chat/completions');
      expect(recorded?.headers['authorization']).toBe(`Bearer ${API_KEY}`);
      expect(recorded?.headers['content-type']).toMatch(/^application\/json/);
      expect(fake.body()).toEqual({
        model: 'test-model',
        stream: true,
        messages: [
          { role: 'system', content: 'You are a coder.' },
          { role: 'user', content: 'Read a.ts' },
          {
            role: 'assistant',
            content: null,
            tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"a.ts"}' } }],
          },
          { role: 'tool', content: 'export const a = 1;', tool_call_id: 'call_1' },
          { role: 'assistant', content: 'It exports a.' },
          { role: 'user', content: 'Thanks' },
        ],
        tools: [
          {
            type: 'function',
            function: {
              name: 'read_file',
              description: TOOL_SPECS.read_file.function.description,
              parameters: {
                type: 'object',
                properties: {
                  path: { type: 'string', description: 'Path relative to the workspace root' },
                  start_line: { type: 'integer', description: 'First line to read' },
                  end_line: { type: 'integer', description: 'Last line to read' },
                },
                required: ['path'],
              },
            },
          },
          {
            type: 'function',
            function: {
              name: 'write_file',
              description: TOOL_SPECS.write_file.function.description,
              parameters: TOOL_SPECS.write_file.function.parameters,
            },
          },
        ],
      });
    });

    it('omits tools when there are none, and sends a placeholder key when none is configured', async () => {
      fake.enqueue({ kind: 'text', chunks: ['ok'] });

      await collect(createModel({ apiKey: undefined }).stream(request()));

      expect(fake.body()).not.toHaveProperty('tools');
      expect(fake.lastRequest?.headers['authorization']).toBe('Bearer not-needed');
    });

    it('works with a base URL without the /v1 prefix', async () => {
      fake.enqueue({ kind: 'text', chunks: ['ok'] });

      await expect(collect(createModel({ baseUrl: fake.rootUrl }).stream(request()))).resolves.toEqual([
        { type: 'text', delta: 'ok' },
      ]);
      expect(fake.lastRequest?.path).toBe('/chat/completions');
    });

    it('rejects a tool message without tool_call_id before sending anything', async () => {
      const error = await streamError(
        createModel(),
        request({ messages: [{ role: 'tool', content: 'x' }] }),
      );

      expectModelError(error, /tool result has no tool_call_id/);
      expect(fake.requests).toHaveLength(0);
    });
  });

  describe('retries and errors', () => {
    it('retries 500s: two failures then success with maxRetries 2', async () => {
      fake.enqueue({ kind: 'error', status: 500 }, { kind: 'error', status: 500 }, { kind: 'text', chunks: ['fine'] });

      const events = await collect(createModel({ maxRetries: 2 }).stream(request()));

      expect(events).toEqual([{ type: 'text', delta: 'fine' }]);
      expect(fake.requests).toHaveLength(3);
      expect(fake.requests.map((r) => r.headers['x-stainless-retry-count'])).toEqual(['0', '1', '2']);
    });

    it('gives up after maxRetries with a ModelError naming the status', async () => {
      fake.enqueue({ kind: 'error', status: 500, message: 'Traceback (most recent call last): boom' });

      const error = await streamError(createModel({ maxRetries: 0 }));

      expectModelError(error, 'Model request failed: 500 Internal Server Error', 500);
      expect(fake.requests).toHaveLength(1);
    });

    it('fails with the last status when every attempt fails', async () => {
      fake.enqueue({ kind: 'error', status: 502 }, { kind: 'error', status: 503 });

      const error = await streamError(createModel({ maxRetries: 1 }));

      expectModelError(error, 'Model request failed: 503 Service Unavailable', 503);
      expect(fake.requests).toHaveLength(2);
    });

    it('retries a 429', async () => {
      fake.enqueue({ kind: 'error', status: 429, message: 'Rate limit reached' }, { kind: 'text', chunks: ['ok'] });

      await expect(collect(createModel({ maxRetries: 1 }).stream(request()))).resolves.toEqual([
        { type: 'text', delta: 'ok' },
      ]);
      expect(fake.requests).toHaveLength(2);
    });

    it('waits with exponential back-off when the server gives no retry-after', async () => {
      fake.enqueue({ kind: 'error', status: 503, retryAfterSeconds: null }, { kind: 'text', chunks: ['ok'] });
      const startedAt = Date.now();

      await collect(createModel({ maxRetries: 1 }).stream(request()));

      // First retry: 0.5 s × jitter in (0.75, 1].
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(350);
      expect(fake.requests).toHaveLength(2);
    });

    it('retries a dropped connection', async () => {
      fake.enqueue({ kind: 'drop' }, { kind: 'text', chunks: ['ok'] });

      await expect(collect(createModel({ maxRetries: 1 }).stream(request()))).resolves.toEqual([
        { type: 'text', delta: 'ok' },
      ]);
      expect(fake.requests).toHaveLength(2);
    });

    it('fails at once when the server asks to wait past the deadline', async () => {
      fake.enqueue({ kind: 'error', status: 429, retryAfterSeconds: 30 }, { kind: 'text', chunks: ['too late'] });
      const startedAt = Date.now();

      const error = await streamError(createModel({ maxRetries: 2, timeoutMs: 3_000 }));

      expectModelError(error, 'Model request failed: 429 Too Many Requests: Fake error 429', 429);
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      expect(fake.requests).toHaveLength(1);
    });

    it('does not retry a 400 and shows the server reason, with the key blanked out', async () => {
      fake.enqueue({ kind: 'error', status: 400, message: `model "nope" not found (key ${API_KEY})` });

      const error = await streamError(createModel({ maxRetries: 2 }));

      expectModelError(error, 'Model request failed: 400 Bad Request: model "nope" not found (key ***)', 400);
      expect(fake.requests).toHaveLength(1);
    });

    it('reports a 401', async () => {
      fake.enqueue({ kind: 'error', status: 401, message: 'Incorrect API key provided' });

      expectModelError(
        await streamError(createModel({ maxRetries: 2 })),
        'Model request failed: 401 Unauthorized: Incorrect API key provided',
        401,
      );
      expect(fake.requests).toHaveLength(1);
    });

    it('reports an unreachable server quickly', async () => {
      const closed = await FakeOpenAiServer.start();
      const baseUrl = closed.baseUrl;
      await closed.close();
      const startedAt = Date.now();

      const error = await streamError(createModel({ baseUrl, maxRetries: 0 }));

      expectModelError(error, `Could not reach the model server at ${baseUrl}`);
      expect(Date.now() - startedAt).toBeLessThan(1_000);
    });

    it('never shows credentials of the base URL', async () => {
      const closed = await FakeOpenAiServer.start();
      await closed.close();

      const error = await streamError(
        createModel({ baseUrl: `http://user:hunter2@127.0.0.1:${closed.port}/v1?token=abc`, maxRetries: 0 }),
      );

      expectModelError(error, `Could not reach the model server at http://127.0.0.1:${closed.port}/v1`);
      expect(logs.lines.some((line) => line.includes(`127.0.0.1:${closed.port}`))).toBe(true);
      expect(logs.lines.filter((line) => line.includes('hunter2'))).toEqual([]);
    });

    it('times out a stream that stops sending, and cancels the request', async () => {
      fake.enqueue({ kind: 'hang', chunks: ['partial'] });
      const startedAt = Date.now();

      const { events, error } = await collectUntilError(createModel({ timeoutMs: 300 }).stream(request()));

      expect(events).toEqual([{ type: 'text', delta: 'partial' }]);
      expectModelError(error, 'Model request timed out after 300 ms');
      expect(Date.now() - startedAt).toBeLessThan(1_500);
      expect(isAbortError(error)).toBe(false);
      await fake.waitForClientAbort();
    });

    it('applies the timeout to the whole call, retries included', async () => {
      fake.enqueue(
        { kind: 'hang', sendHeaders: false },
        { kind: 'hang', sendHeaders: false },
        { kind: 'hang', sendHeaders: false },
      );
      const startedAt = Date.now();

      const error = await streamError(createModel({ timeoutMs: 250, maxRetries: 2 }));

      expectModelError(error, 'Model request timed out after 250 ms');
      expect(Date.now() - startedAt).toBeLessThan(1_000);
      await fake.waitForClientAbort();
    });

    it('reports a connection lost mid-answer, without retrying it', async () => {
      fake.enqueue({ kind: 'drop', chunks: ['partial'] }, { kind: 'text', chunks: ['replayed'] });

      const { events, error } = await collectUntilError(createModel({ maxRetries: 2 }).stream(request()));

      expect(events).toEqual([{ type: 'text', delta: 'partial' }]);
      expectModelError(error, `The connection to the model server at ${fake.baseUrl} was lost`);
      expect(fake.requests).toHaveLength(1);
      expect(fake.clientAborts).toBe(0);
    });

    it('reports an error event inside the stream', async () => {
      fake.enqueue({
        kind: 'raw',
        headers: { 'content-type': 'text/event-stream' },
        body: 'data: {"error":{"message":"model overloaded","type":"server_error"}}\n\n',
      });

      expectModelError(await streamError(createModel()), 'The model server reported an error: model overloaded');
    });

    it('reports a malformed stream', async () => {
      fake.enqueue({ kind: 'raw', headers: { 'content-type': 'text/event-stream' }, body: 'data: {not json\n\n' });

      expectModelError(await streamError(createModel()), 'The model server sent an invalid response');
    });
  });

  describe('abort', () => {
    it('throws an AbortError mid-stream and closes the connection to the server', async () => {
      fake.enqueue({ kind: 'hang', chunks: ['partial'] });
      const controller = new AbortController();
      const iterator = createModel().stream(request({ signal: controller.signal }))[Symbol.asyncIterator]();
      await expect(iterator.next()).resolves.toMatchObject({ value: { type: 'text', delta: 'partial' } });

      const pending = iterator.next();
      controller.abort();
      const error: unknown = await pending.then(
        () => new Error('expected a rejection'),
        (err: unknown) => err,
      );

      expect(isAbortError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'AbortError' });
      expect(error).not.toBeInstanceOf(ModelError);
      await fake.waitForClientAbort();
      expect(fake.clientAborts).toBe(1);
    });

    it('throws an AbortError while waiting for the response headers', async () => {
      fake.enqueue({ kind: 'hang', sendHeaders: false });
      const controller = new AbortController();
      const pending = streamError(createModel(), request({ signal: controller.signal }));
      await fake.waitForRequests(1);

      controller.abort();

      expect(isAbortError(await pending)).toBe(true);
      await fake.waitForClientAbort();
    });

    it('stops waiting at once when aborted during a retry back-off', async () => {
      // Short enough not to outlive the test run (the SDK's own back-off timer cannot be cancelled).
      fake.enqueue({ kind: 'error', status: 503, retryAfterSeconds: 0.6 });
      const controller = new AbortController();
      const pending = streamError(createModel({ maxRetries: 1 }), request({ signal: controller.signal }));
      // The SDK logs this (forwarded at debug level) once it got the 503, right before sleeping 30 s.
      await logs.waitForLine(/openai sdk: .*status 503.*retrying/);
      const abortedAt = Date.now();

      controller.abort();

      expect(isAbortError(await pending)).toBe(true);
      expect(Date.now() - abortedAt).toBeLessThan(400);
      expect(fake.requests).toHaveLength(1);
    });

    it('sends nothing when the signal is already aborted', async () => {
      const controller = new AbortController();
      controller.abort();

      expect(isAbortError(await streamError(createModel(), request({ signal: controller.signal })))).toBe(true);
      await expect(
        createModel().complete({ messages: [{ role: 'user', content: 'x' }], signal: controller.signal }),
      ).rejects.toMatchObject({ name: 'AbortError' });
      expect(fake.requests).toHaveLength(0);
    });

    it('cancels the request when the consumer stops iterating early', async () => {
      fake.enqueue({ kind: 'hang', chunks: ['a'] });

      for await (const event of createModel().stream(request())) {
        expect(event).toEqual({ type: 'text', delta: 'a' });
        break;
      }

      await fake.waitForClientAbort();
    });
  });

  describe('complete()', () => {
    it('returns the text of a non-streamed answer, sent without tools', async () => {
      fake.enqueue({ kind: 'text', chunks: ['Hello', ' there'] });

      const text = await createModel().complete({
        messages: [
          { role: 'system', content: 'Classify.' },
          { role: 'user', content: 'Fix the bug' },
        ],
        signal: new AbortController().signal,
      });

      expect(text).toBe('Hello there');
      expect(fake.body()).toEqual({
        model: 'test-model',
        stream: false,
        messages: [
          { role: 'system', content: 'Classify.' },
          { role: 'user', content: 'Fix the bug' },
        ],
      });
    });

    it("answers with the fake server's default echo when nothing is scripted", async () => {
      const text = await createModel().complete({
        messages: [
          { role: 'user', content: 'first' },
          { role: 'assistant', content: 'ok' },
          { role: 'user', content: 'second question' },
        ],
        signal: new AbortController().signal,
      });

      expect(text).toBe('You said: second question');
      expect(fake.lastRequest?.answeredWith).toBe('default');
    });

    it("returns '' when the answer has no text", async () => {
      fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'c', name: 'read_file', arguments: '{}' }] });

      await expect(
        createModel().complete({ messages: [{ role: 'user', content: 'x' }], signal: new AbortController().signal }),
      ).resolves.toBe('');
    });

    it('maps failures to ModelError and times out a stalled answer', async () => {
      fake.enqueue({ kind: 'error', status: 404, message: 'The model `nope` does not exist' });
      fake.enqueue({ kind: 'hang' });
      const model = createModel({ timeoutMs: 250 });
      const complete = (): Promise<string> =>
        model.complete({ messages: [{ role: 'user', content: 'x' }], signal: new AbortController().signal });

      expectModelError(
        await complete().catch((err: unknown) => err),
        'Model request failed: 404 Not Found: The model `nope` does not exist',
        404,
      );
      expectModelError(await complete().catch((err: unknown) => err), 'Model request timed out after 250 ms');
      await fake.waitForClientAbort();
    });
  });

  describe('logging', () => {
    it('never logs the API key or message contents', async () => {
      const secret = 'my-very-private-question';
      fake.enqueue({ kind: 'text', chunks: ['private answer text'] });
      fake.enqueue({ kind: 'error', status: 401, message: `Incorrect API key provided: ${API_KEY}` });
      fake.enqueue({ kind: 'error', status: 400, message: `Cannot parse: ${secret}` });
      fake.enqueue({ kind: 'raw', headers: { 'content-type': 'text/event-stream' }, body: `data: {${secret}\n\n` });
      const model = createModel({ maxRetries: 1 });
      const req = request({ messages: [{ role: 'user', content: secret }] });

      await collect(model.stream(req));
      await streamError(model, req);
      expect(await streamError(model, req)).toMatchObject({ message: `Model request failed: 400 Bad Request: Cannot parse: ${secret}` });
      await streamError(model, req);

      expect(logs.lines.length).toBeGreaterThan(0);
      expect(logs.lines.some((line) => line.includes('401'))).toBe(true);
      for (const line of logs.lines) {
        expect(line).not.toContain(API_KEY);
        expect(line).not.toContain(secret);
        expect(line).not.toContain('private answer');
      }
    });
  });
});

describe('isAbortError', () => {
  it('recognizes DOM AbortErrors and the SDK abort error, nothing else', () => {
    expect(isAbortError(new DOMException('stop', 'AbortError'))).toBe(true);
    expect(isAbortError(createAbortError())).toBe(true);
    expect(isAbortError(new APIUserAbortError())).toBe(true);
    const controller = new AbortController();
    controller.abort();
    expect(isAbortError(controller.signal.reason)).toBe(true);

    expect(isAbortError(new Error('AbortError'))).toBe(false);
    expect(isAbortError(new DOMException('late', 'TimeoutError'))).toBe(false);
    expect(isAbortError(new ModelError('Model request failed'))).toBe(false);
    expect(isAbortError('AbortError')).toBe(false);
    expect(isAbortError(undefined)).toBe(false);
  });
});
