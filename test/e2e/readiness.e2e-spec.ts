import { FakeOpenAiServer } from '../utils/fake-openai-server';
import { http } from '../utils/http';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { RunningApp, startApp } from '../utils/test-app';
import { TestSocket } from '../utils/ws-client';

interface Readiness {
  status: 'ok' | 'error';
  info: Record<string, { status: string }>;
  error: Record<string, { status: string; message?: string }>;
}

describe('GET /health/ready (e2e)', () => {
  let db: TestDatabase;
  let fake: FakeOpenAiServer;
  let running: RunningApp | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await FakeOpenAiServer.start();
  });
  afterAll(async () => {
    await running?.close();
    await fake.close();
    await db.drop();
  });

  it('is 200 with the database and shutdown parts up, and needs no credential', async () => {
    running = await startApp(db.url, { AUTH_API_KEYS: 'some-api-key-0123456789:alice' });
    const res = await http<Readiness>(running.baseUrl, 'GET', '/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' }, shutdown: { status: 'up' } }, error: {} });
    await running.close();
    running = undefined;
  });

  it('turns 503 naming the shutdown while running turns drain', async () => {
    running = await startApp(db.url, { LLM_PROVIDER: 'openai', LLM_BASE_URL: fake.baseUrl, LLM_MAX_RETRIES: '0', SHUTDOWN_GRACE_MS: '3000' });
    const app = running;
    running = undefined;
    fake.enqueue({ kind: 'hang', chunks: ['still ', 'thinking'] });
    const socket = await TestSocket.open(`${app.wsUrl}/api/v1/ws/draining?protocol=2`);
    await socket.next();
    socket.send({ type: 'user_message', content: 'take your time', agent_type: 'coder' });
    await fake.waitForRequests(1);
    expect((await http(app.baseUrl, 'GET', '/health/ready')).status).toBe(200);
    const closing = app.close();
    // Shutdown hooks start asynchronously; the turn keeps the service draining for SHUTDOWN_GRACE_MS.
    let res = await http<Readiness>(app.baseUrl, 'GET', '/health/ready');
    for (let i = 0; i < 20 && res.status === 200; i++) {
      await new Promise((r) => setTimeout(r, 20));
      res = await http<Readiness>(app.baseUrl, 'GET', '/health/ready');
    }
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'error', error: { shutdown: { status: 'down', message: 'the service is shutting down' } } });
    expect(res.body.info).toMatchObject({ database: { status: 'up' } });
    await closing;
    await socket.close();
  });
});
