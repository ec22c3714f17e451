import { http } from '../utils/http';
import { TcpProxy } from '../utils/tcp-proxy';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { RunningApp, startApp } from '../utils/test-app';

interface Readiness {
  status: 'ok' | 'error';
  error: Record<string, { status: string; message?: string }>;
}

/**
 * PostgreSQL only (`npm run test:pg`; `npm test` skips this file): the service reaches the database
 * through a TCP proxy that the test stops, so the database really stops answering. SQLite runs in
 * the process and has no equivalent outage.
 */
describe('readiness when PostgreSQL stops answering (e2e, PostgreSQL)', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let running: RunningApp;

  beforeAll(async () => {
    db = await createTestDatabase();
    const url = new URL(db.url);
    if (!url.protocol.startsWith('postgres')) throw new Error('this spec needs TEST_DATABASE=postgres (npm run test:pg)');
    proxy = new TcpProxy(url.hostname, Number(url.port || 5432));
    await proxy.start();
    url.host = `127.0.0.1:${proxy.port}`;
    running = await startApp(url.toString(), { READINESS_TIMEOUT_MS: '1000' });
  });
  afterAll(async () => {
    await proxy.start();
    await running.close();
    await proxy.stop();
    await db.drop();
  });

  it('answers 503 naming the database while it is unreachable, and 200 again once it is back', async () => {
    expect((await http<Readiness>(running.baseUrl, 'GET', '/health/ready')).status).toBe(200);

    await proxy.stop();
    const down = await http<Readiness>(running.baseUrl, 'GET', '/health/ready');
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('error');
    expect(down.body.error['database']).toMatchObject({ status: 'down', message: expect.stringMatching(/not answering|no answer within/) as unknown });
    expect(JSON.stringify(down.body)).not.toMatch(/postgres:|127\.0\.0\.1/);
    // Liveness is not readiness: the process itself is fine.
    expect((await http(running.baseUrl, 'GET', '/health')).status).toBe(200);

    await proxy.start();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await http(running.baseUrl, 'GET', '/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});
