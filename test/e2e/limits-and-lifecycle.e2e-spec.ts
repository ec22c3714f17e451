import WebSocket from 'ws';
import { FakeOpenAiServer } from '../utils/fake-openai-server';
import { createTestDatabase } from '../utils/test-database';
import { http } from '../utils/http';
import { waitUntil } from '../utils/wait-until';
import { RunningApp, startApp } from '../utils/test-app';
import { Frame, TestSocket } from '../utils/ws-client';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';
const AUTH = { AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` };

describe('Limits, shutdown and liveness (e2e)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  const boot = async (env: Record<string, string>): Promise<RunningApp> => {
    const db = await createTestDatabase();
    const running = await startApp(db.url, env);
    cleanups.push(async () => {
      await running.close().catch(() => undefined);
      await db.drop();
    });
    return running;
  };
  const open = async (running: RunningApp, path: string, headers: Record<string, string> = {}) => {
    const socket = await TestSocket.open(`${running.wsUrl}${path}`, headers);
    cleanups.push(() => socket.close());
    return socket;
  };

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it('REST: per-user rate limit answers 429 with Retry-After; other users and health are not affected', async () => {
    const running = await boot({ ...AUTH, RATE_LIMIT_REST_PER_MINUTE: '3' });
    const get = (key: string) => http(running.baseUrl, 'GET', '/api/v1/sessions', undefined, { 'x-api-key': key });
    for (let i = 0; i < 3; i++) expect((await get(KEY_ALICE)).status).toBe(200);
    const limited = await get(KEY_ALICE);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests' });
    expect((await get(KEY_BOB)).status).toBe(200);
    expect((await http(running.baseUrl, 'GET', '/health')).status).toBe(200);
  });

  it('WebSocket: over the message rate an error frame answers, the socket stays open and nothing is stored', async () => {
    const running = await boot({ ...AUTH, RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '2' });
    const socket = await open(running, '/api/v1/ws/rate-limited', { 'x-api-key': KEY_ALICE });
    await socket.request({ type: 'user_message', content: 'one' });
    await socket.request({ type: 'user_message', content: 'two' });
    const limited = await socket.request({ type: 'user_message', content: 'three' });
    expect(limited).toEqual([expect.objectContaining({ type: 'error', is_final: true })]);
    expect(String(limited[0]?.['content'])).toMatch(/^Rate limit exceeded/);
    expect(socket.closeCode).toBeUndefined();
    const history = await http<{ message_count: number }>(running.baseUrl, 'GET', '/api/v1/sessions/rate-limited/history', undefined, {
      'x-api-key': KEY_ALICE,
    });
    expect(history.body.message_count).toBe(4);
  });

  it('caps sockets per user with 429 at the upgrade; a closed socket frees its slot', async () => {
    const running = await boot({ ...AUTH, MAX_SOCKETS_PER_USER: '2' });
    const first = await open(running, '/api/v1/ws/cap-1', { 'x-api-key': KEY_ALICE });
    await open(running, '/api/v1/ws/cap-2', { 'x-api-key': KEY_ALICE });
    expect(await TestSocket.refused(`${running.wsUrl}/api/v1/ws/cap-3`, { 'x-api-key': KEY_ALICE })).toBe(429);
    await open(running, '/api/v1/ws/bob-1', { 'x-api-key': KEY_BOB });
    await first.close();
    await waitUntil(async () => (await tryOpen(`${running.wsUrl}/api/v1/ws/cap-3`, { 'x-api-key': KEY_ALICE })) === 'open');
  });

  it('refuses over-long messages and over-deep frames with an error frame naming the limit', async () => {
    const running = await boot({ MAX_MESSAGE_CHARS: '10', MAX_JSON_DEPTH: '8' });
    const socket = await open(running, '/api/v1/ws/limits');
    const long = await socket.request({ type: 'user_message', content: 'x'.repeat(11) });
    expect(long[0]?.['content']).toBe('Invalid user_message: content must be at most 10 characters');
    let deep: unknown = 'leaf';
    for (let i = 0; i < 20; i++) deep = { nested: deep };
    const nested = await socket.request({ type: 'tool_result', call_id: 'c', result: deep });
    expect(nested[0]?.['content']).toBe('Invalid JSON: nested deeper than 8 levels');
    const veryDeep = await socket.request(`${'['.repeat(100_000)}${']'.repeat(100_000)}`);
    expect(String(veryDeep[0]?.['content'])).toMatch(/^Invalid JSON/);
    expect((await socket.request({ type: 'user_message', content: 'ok' })).at(-1)).toMatchObject({ type: 'assistant_message' });
  });

  it('graceful shutdown: a running turn finishes within the grace period, then sockets get 1001', async () => {
    const fake = await FakeOpenAiServer.start();
    cleanups.push(() => fake.close());
    const running = await boot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MAX_RETRIES: '0', SHUTDOWN_GRACE_MS: '5000' });
    const chunks = Array.from({ length: 10 }, (_, i) => `c${i} `);
    fake.enqueue({ kind: 'text', chunks, chunkDelayMs: 40 });
    const socket = await open(running, '/api/v1/ws/graceful?protocol=2');
    await socket.next();
    socket.send({ type: 'user_message', content: 'long one', agent_type: 'coder' });
    await socket.next();
    const closing = running.close();
    const frames: Frame[] = [];
    for (;;) {
      const frame = await socket.next(10_000);
      frames.push(frame);
      if (frame['is_final'] === true) break;
    }
    expect(frames.at(-1)).toMatchObject({ type: 'assistant_message', content: chunks.join('') });
    expect(await socket.waitClosed(10_000)).toBe(1001);
    await closing;
    const again = await startApp(running.config.database.type === 'sqlite' ? `sqlite:${running.config.database.path}` : running.config.database.url);
    try {
      const history = await http<{ messages: { content: string }[] }>(again.baseUrl, 'GET', '/api/v1/sessions/graceful/history');
      expect(history.body.messages.at(-1)?.content).toBe(chunks.join(''));
    } finally {
      await again.close();
    }
  });

  it('graceful shutdown: a turn still running after the grace period is stopped and its partial text stored', async () => {
    const fake = await FakeOpenAiServer.start();
    cleanups.push(() => fake.close());
    const running = await boot({ LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MAX_RETRIES: '0', SHUTDOWN_GRACE_MS: '200' });
    fake.enqueue({ kind: 'hang', chunks: ['half ', 'done'] });
    const socket = await open(running, '/api/v1/ws/cut-short?protocol=2');
    await socket.next();
    socket.send({ type: 'user_message', content: 'never ends', agent_type: 'coder' });
    await socket.next();
    await socket.next();
    await socket.next();
    const closing = running.close();
    const end = await socket.reply(10_000);
    expect(end.at(-1)).toMatchObject({ type: 'cancelled', content: 'half done' });
    expect(await socket.waitClosed()).toBe(1001);
    await closing;
    await fake.waitForClientAbort();
  });

  it('drops a peer that stops answering pings, and closes idle sockets', async () => {
    const running = await boot({ WS_HEARTBEAT_MS: '100', WS_IDLE_TIMEOUT_MS: '0' });
    const silent = new WebSocket(`${running.wsUrl}/api/v1/ws/silent`, { autoPong: false });
    const closed = new Promise<number>((resolve) => silent.once('close', (code) => resolve(code)));
    await new Promise((resolve) => silent.once('open', resolve));
    expect(await closed).toBe(1006);
    const healthy = await open(running, '/api/v1/ws/healthy');
    await new Promise((r) => setTimeout(r, 350));
    expect(healthy.closeCode).toBeUndefined();

    const idle = await boot({ WS_HEARTBEAT_MS: '0', WS_IDLE_TIMEOUT_MS: '150' });
    const sleepy = await open(idle, '/api/v1/ws/sleepy');
    expect(await sleepy.waitClosed()).toBe(1000);
  });
});

async function tryOpen(url: string, headers: Record<string, string>): Promise<'open' | number> {
  const ws = new WebSocket(url, { headers });
  return new Promise((resolve) => {
    ws.once('open', () => {
      ws.close();
      resolve('open');
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => undefined);
  });
}
