import { expect } from '@jest/globals';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { http } from '../utils/http';
import { RunningApp, startApp } from '../utils/test-app';

interface SessionBody {
  id: string;
  session_id: string;
  title: string | null;
  message_count: number;
  created_at: string;
  last_activity: string;
  is_active: boolean;
  current_agent: string;
}

describe('Session REST API (e2e)', () => {
  let db: TestDatabase;
  let running: RunningApp;
  const call = <T = unknown>(method: string, path: string, body?: unknown) =>
    http<T>(running.baseUrl, method, path, body);

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startApp(db.url);
  });

  afterAll(async () => {
    await running.close();
    await db.drop();
  });

  it('answers health on both paths', async () => {
    for (const path of ['/health', '/api/v1/health']) {
      const res = await call(`GET`, path);
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ status: 'healthy', service: 'codelab-agent-service', version: expect.any(String) });
    }
  });

  it('creates a session with a server-made UUID and the documented shape', async () => {
    const res = await call<SessionBody>('POST', '/api/v1/sessions');
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(res.body).toEqual({
      id: res.body.id,
      session_id: res.body.id,
      title: null,
      message_count: 0,
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      last_activity: res.body.created_at,
      is_active: true,
      current_agent: 'orchestrator',
    });
  });

  it('creates a session with a client id and title, and refuses the same id with 409', async () => {
    const created = await call<SessionBody>('POST', '/api/v1/sessions', { session_id: 'client-id-1', title: 'My chat' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'client-id-1', title: 'My chat' });
    const again = await call('POST', '/api/v1/sessions', { session_id: 'client-id-1' });
    expect(again.status).toBe(409);
    expect(again.body).toEqual({ statusCode: 409, message: 'Session client-id-1 already exists', error: 'Conflict' });
  });

  it.each([
    [{ session_id: 'bad id with spaces' }, 'session_id'],
    [{ session_id: 42 }, 'session_id'],
    [{ title: 'x'.repeat(201) }, 'title'],
    [{ unexpected: true }, 'unexpected'],
  ])('rejects an invalid create body %j with 400 naming the field', async (body, field) => {
    const res = await call<{ statusCode: number; message: string; error: string }>('POST', '/api/v1/sessions', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('Bad Request');
    expect(typeof res.body.message).toBe('string');
    expect(res.body.message).toContain(field);
  });

  it('rejects malformed JSON with 400', async () => {
    const res = await call('POST', '/api/v1/sessions', '{"session_id":');
    expect(res.status).toBe(400);
  });

  it('gets, renames and deletes a session; afterwards every route answers 404', async () => {
    await call('POST', '/api/v1/sessions', { session_id: 'to-delete' });
    const got = await call<SessionBody>('GET', '/api/v1/sessions/to-delete');
    expect(got.status).toBe(200);
    expect(got.body.id).toBe('to-delete');

    const renamed = await call<SessionBody>('PATCH', '/api/v1/sessions/to-delete', { title: 'Renamed' });
    expect(renamed.status).toBe(200);
    expect(renamed.body.title).toBe('Renamed');
    expect((await call<SessionBody>('GET', '/api/v1/sessions/to-delete')).body.title).toBe('Renamed');

    const deleted = await call('DELETE', '/api/v1/sessions/to-delete');
    expect(deleted.status).toBe(204);
    for (const [method, path, body] of [
      ['GET', '/api/v1/sessions/to-delete'],
      ['PATCH', '/api/v1/sessions/to-delete', { title: 'x' }],
      ['DELETE', '/api/v1/sessions/to-delete'],
      ['GET', '/api/v1/sessions/to-delete/history'],
      ['GET', '/api/v1/sessions/to-delete/pending-approvals'],
      ['GET', '/api/v1/agents/to-delete/current'],
    ] as const) {
      const res = await call<{ message: string }>(method, path, body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
      expect(res.body.message).toBe('Session to-delete not found');
    }
  });

  it('validates PATCH bodies and path ids', async () => {
    await call('POST', '/api/v1/sessions', { session_id: 'patch-me' });
    expect((await call('PATCH', '/api/v1/sessions/patch-me', {})).status).toBe(400);
    expect((await call('PATCH', '/api/v1/sessions/patch-me', { title: '' })).status).toBe(400);
    expect((await call('PATCH', '/api/v1/sessions/patch-me', { title: 7 })).status).toBe(400);
    expect((await call('GET', '/api/v1/sessions/-bad-start')).status).toBe(400);
  });

  it('lists newest activity first with limit/offset and a total over all sessions', async () => {
    const fresh = await createTestDatabase();
    const other = await startApp(fresh.url);
    try {
      for (const id of ['a', 'b', 'c']) {
        await http(other.baseUrl, 'POST', '/api/v1/sessions', { session_id: id });
        await new Promise((r) => setTimeout(r, 5));
      }
      await http(other.baseUrl, 'PATCH', '/api/v1/sessions/a', { title: 'touch' });
      const page = await http<{ sessions: SessionBody[]; total: number; limit: number; offset: number }>(
        other.baseUrl,
        'GET',
        '/api/v1/sessions?limit=2&offset=0',
      );
      expect(page.status).toBe(200);
      expect(page.body.total).toBe(3);
      expect(page.body.limit).toBe(2);
      expect(page.body.offset).toBe(0);
      expect(page.body.sessions.map((s) => s.id)).toEqual(['c', 'b']);
      const next = await http<{ sessions: SessionBody[] }>(other.baseUrl, 'GET', '/api/v1/sessions?limit=2&offset=2');
      expect(next.body.sessions.map((s) => s.id)).toEqual(['a']);
      const defaults = await http<{ limit: number; offset: number }>(other.baseUrl, 'GET', '/api/v1/sessions');
      expect(defaults.body).toMatchObject({ limit: 100, offset: 0 });
    } finally {
      await other.close();
      await fresh.drop();
    }
  });

  it.each(['limit=0', 'limit=1001', 'limit=abc', 'offset=-1', 'limit=1.5'])('rejects ?%s with 400', async (query) => {
    const res = await call<{ message: string }>('GET', `/api/v1/sessions?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/limit|offset/);
  });

  it('returns an empty history, agent context and approvals for a new session', async () => {
    await call('POST', '/api/v1/sessions', { session_id: 'empty-one' });
    const history = await call('GET', '/api/v1/sessions/empty-one/history');
    expect(history.status).toBe(200);
    expect(history.body).toEqual({
      session_id: 'empty-one',
      messages: [],
      message_count: 0,
      last_activity: expect.any(String),
      current_agent: 'orchestrator',
      agent_history: [],
    });
    const approvals = await call('GET', '/api/v1/sessions/empty-one/pending-approvals');
    expect(approvals.body).toEqual({ session_id: 'empty-one', pending_approvals: [], count: 0 });
    const current = await call('GET', '/api/v1/agents/empty-one/current');
    expect(current.body).toEqual({ session_id: 'empty-one', current_agent: 'orchestrator', agent_history: [], switch_count: 0 });
  });

  it('lists the five agents with their tools', async () => {
    const res = await call<{ agents: { type: string; allowed_tools: string[] }[]; total: number }>('GET', '/api/v1/agents');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(5);
    const byType = Object.fromEntries(res.body.agents.map((a) => [a.type, a.allowed_tools]));
    expect(Object.keys(byType).sort()).toEqual(['architect', 'ask', 'coder', 'debug', 'orchestrator']);
    expect(byType['orchestrator']).toEqual([]);
    expect(byType['ask']).not.toContain('write_file');
    expect(byType['debug']).toContain('execute_command');
    expect(byType['coder']).toContain('write_file');
  });

  it('serves Swagger UI and an OpenAPI document covering every route with schemas', async () => {
    const ui = await fetch(`${running.baseUrl}/api/docs`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('swagger');
    const doc = await call<{ paths: Record<string, Record<string, { responses: Record<string, unknown> }>> }>(
      'GET',
      '/api/docs-json',
    );
    expect(doc.status).toBe(200);
    for (const path of [
      '/api/v1/sessions',
      '/api/v1/sessions/{id}',
      '/api/v1/sessions/{id}/history',
      '/api/v1/sessions/{id}/pending-approvals',
      '/api/v1/agents',
      '/api/v1/agents/{id}/current',
      '/health',
    ]) {
      expect(doc.body.paths[path]).toBeDefined();
    }
    expect(doc.body.paths['/api/v1/sessions']?.['post']?.responses['201']).toBeDefined();
    expect(doc.body.paths['/api/v1/sessions/{id}']?.['get']?.responses['404']).toBeDefined();
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await call<{ statusCode: number }>('GET', '/api/v1/nope');
    expect(res.status).toBe(404);
    expect(res.body.statusCode).toBe(404);
  });
});
