import { DataSource } from 'typeorm';
import { UsersService } from '../../src/auth/login/users.service';
import { http } from '../utils/http';
import { passwordGrant, refreshGrant } from '../utils/oauth';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { startApp } from '../utils/test-app';
import { TestSocket } from '../utils/ws-client';

const PASSWORD = 'the secret passphrase of alice';
const WRONG_PASSWORD = 'a wrong guess at the passphrase';
const METRICS_TOKEN = 'metrics-token-that-must-not-leak';

interface LogLine {
  level: string;
  time: string;
  message: unknown;
  request_id?: string;
  session?: string;
  user?: string;
}

/**
 * Everything the service writes while it runs the IDE's login flow, a turn, a refresh, a reused
 * refresh token and a metrics scrape — at every log level, in LOG_FORMAT=json — is captured, and no
 * password, token, key or Authorization header may appear in it.
 */
describe('Logs (e2e): JSON lines with request, session and user, and no secret', () => {
  let db: TestDatabase;
  const written: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    jest.restoreAllMocks();
    await db.drop();
  });

  it('logs the flow as JSON and never a secret', async () => {
    const capture = (chunk: string | Uint8Array): boolean => {
      written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    };
    jest.spyOn(process.stdout, 'write').mockImplementation(capture);
    jest.spyOn(process.stderr, 'write').mockImplementation(capture);
    const running = await startApp(
      db.url,
      { LOG_FORMAT: 'json', AUTH_LOGIN_ENABLED: 'true', AUTH_WS_SESSION_CAPABILITY: 'true', METRICS_TOKEN },
      { logLevels: ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'] },
    );
    const secrets: string[] = [PASSWORD, WRONG_PASSWORD, METRICS_TOKEN];
    let sessionId = '';
    let aliceId = '';
    try {
      const { baseUrl, wsUrl } = running;
      aliceId = (await running.app.get(UsersService).add('alice', PASSWORD)).id;
      expect((await passwordGrant(baseUrl, 'alice', WRONG_PASSWORD)).status).toBe(401);
      const login = await passwordGrant(baseUrl, 'alice', PASSWORD);
      secrets.push(login.body.access_token, login.body.refresh_token);
      const auth = { authorization: `Bearer ${login.body.access_token}` };

      const created = await http<{ id: string }>(baseUrl, 'POST', '/api/v1/sessions', {}, { ...auth, 'x-request-id': 'trace-me-123' });
      expect(created.headers.get('x-request-id')).toBe('trace-me-123');
      sessionId = created.body.id;
      const generated = await http(baseUrl, 'GET', '/health', undefined, { 'x-request-id': 'not well formed!' });
      expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

      const socket = await TestSocket.open(`${wsUrl}/api/v1/ws/${sessionId}`);
      expect((await socket.request({ type: 'user_message', content: 'explain this', agent_type: 'coder' })).at(-1)).toMatchObject({ type: 'assistant_message' });
      await socket.close();
      const viaQuery = await TestSocket.open(`${wsUrl}/ws/new_1?access_token=${login.body.access_token}`);
      await viaQuery.close();
      expect(await TestSocket.refused(`${wsUrl}/api/v1/ws/${sessionId}`, { authorization: 'Bearer forged.token.value' })).toBe(401);

      const refreshed = await refreshGrant(baseUrl, login.body.refresh_token);
      secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
      expect((await refreshGrant(baseUrl, login.body.refresh_token)).status).toBe(400);
      expect((await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).status).toBe(200);
      expect((await http(baseUrl, 'GET', '/metrics', undefined, { authorization: 'Bearer wrong-metrics-token' })).status).toBe(401);

      const rows = await running.app.get(DataSource).query<{ private_key: string }[]>('SELECT private_key FROM signing_keys');
      const hashes = await running.app.get(DataSource).query<{ password_hash: string }[]>('SELECT password_hash FROM users');
      for (const row of rows) secrets.push(row.private_key.split('\n')[5] ?? 'missing');
      for (const row of hashes) secrets.push(row.password_hash);
    } finally {
      await running.close();
      jest.restoreAllMocks();
    }

    const text = written.join('');
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/Bearer \S|eyJ[A-Za-z0-9_-]{10}|clrt_[A-Za-z0-9_-]{8}|PRIVATE KEY|scrypt\$/);

    const lines = text.split('\n').filter((l) => l.trim() !== '');
    expect(lines.length).toBeGreaterThan(10);
    const parsed = lines.map((l) => JSON.parse(l) as LogLine);
    for (const line of parsed) expect(line).toMatchObject({ level: expect.any(String) as unknown, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) as unknown });
    expect(parsed).toContainEqual(
      expect.objectContaining({ request_id: 'trace-me-123', session: sessionId, user: aliceId, message: expect.stringMatching(/created/) as unknown }) as unknown,
    );
    expect(parsed).toContainEqual(expect.objectContaining({ session: sessionId, user: aliceId, message: expect.stringMatching(/model answered/) as unknown }) as unknown);
    expect(parsed).toContainEqual(expect.objectContaining({ level: 'warn', user: aliceId, message: expect.stringMatching(/used refresh token/) as unknown }) as unknown);
  });
});
