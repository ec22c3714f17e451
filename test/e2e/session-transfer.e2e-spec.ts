import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';
import { Frame } from '../utils/ws-client';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';

interface SessionBody {
  id: string;
  title: string | null;
  message_count: number;
  current_agent: string;
}
interface HistoryBody {
  messages: Record<string, unknown>[];
  current_agent: string;
  agent_history: unknown[];
}
interface ExportBody {
  format: string;
  version: number;
  exported_at: string;
  session: SessionBody;
  messages: Record<string, unknown>[];
  agent_context: { current_agent: string; agent_history: unknown[]; switch_count: number };
  approvals: { call_id: string; tool_name: string; status: string; arguments: object; created_at: string; decided_at: string | null }[];
}
interface ErrorBody {
  message: string;
}

describe('Export, import and fork (e2e)', () => {
  const app = useTestApp(() => ({ AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` }));
  const as = (key: string) => ({ 'x-api-key': key });
  const call = <T>(key: string, method: string, path: string, body?: unknown) => http<T>(app.running.baseUrl, method, `/api/v1${path}`, body, as(key));
  const history = async (key: string, id: string) => {
    const res = await call<HistoryBody>(key, 'GET', `/sessions/${id}/history`);
    expect(res.status).toBe(200);
    return { messages: res.body.messages, current_agent: res.body.current_agent, agent_history: res.body.agent_history };
  };
  const only = (frames: Frame[]): Frame => {
    expect(frames).toHaveLength(1);
    return frames[0] as Frame;
  };

  /** A session with text, an approved write (tool call, answer, approval) and an agent switch. */
  const converse = async (sessionId: string, key = KEY_ALICE): Promise<void> => {
    const socket = await app.open(`/ws/${sessionId}`, as(key));
    await socket.request({ type: 'user_message', content: 'Please create the résumé file' });
    const toolCall = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"cv.md","content":"# CV"}' }));
    expect(toolCall).toMatchObject({ type: 'tool_call', requires_approval: true });
    await socket.request({ type: 'tool_result', call_id: toolCall['call_id'], result: { success: true } });
  };

  beforeAll(async () => {
    await converse('alice-source');
  });

  it('exports json with the session, the history, the agent context and the approvals', async () => {
    const res = await call<ExportBody>(KEY_ALICE, 'GET', '/sessions/alice-source/export');
    expect(res.status).toBe(200);
    const source = await history(KEY_ALICE, 'alice-source');
    const session = await call<SessionBody>(KEY_ALICE, 'GET', '/sessions/alice-source');
    const { exported_at: exportedAt, approvals, ...rest } = res.body;
    expect(exportedAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(rest).toEqual({
      format: 'codelab-session',
      version: 1,
      session: session.body,
      messages: source.messages,
      agent_context: { current_agent: source.current_agent, agent_history: source.agent_history, switch_count: source.agent_history.length },
    });
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({ tool_name: 'write_file', status: 'approved', arguments: { path: 'cv.md', content: '# CV' } });
    expect(Date.parse(approvals[0]?.decided_at ?? '')).not.toBeNaN();
    expect(source.messages.some((m) => Array.isArray(m['tool_calls']))).toBe(true);
  });

  it('exports a Markdown transcript as an attachment', async () => {
    const res = await fetch(`${app.running.baseUrl}/api/v1/sessions/alice-source/export?format=markdown`, { headers: as(KEY_ALICE) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/markdown; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="session-alice-source.md"');
    const text = await res.text();
    expect(text).toMatch(/^# Please create the résumé file\n/);
    expect(text).toContain('### 0. User\n\nPlease create the résumé file');
    expect(text).toMatch(/Tool call `write_file` \(`call_[0-9a-f]+`\):\n\n```json\n\{\n {2}"path": "cv.md"/);
    expect(text).toMatch(/### \d+\. Tool result/);
    expect((await call(KEY_ALICE, 'GET', '/sessions/alice-source/export?format=pdf')).status).toBe(400);
  });

  it('export -> import round-trips to an identical history in a new session of the caller', async () => {
    const exported = (await call<ExportBody>(KEY_ALICE, 'GET', '/sessions/alice-source/export')).body;
    const imported = await call<SessionBody>(KEY_ALICE, 'POST', '/imports', exported);
    expect(imported.status).toBe(201);
    expect(imported.body.id).not.toBe('alice-source');
    expect(imported.body).toMatchObject({ title: exported.session.title, message_count: exported.messages.length, current_agent: exported.agent_context.current_agent });
    expect(await history(KEY_ALICE, imported.body.id)).toEqual(await history(KEY_ALICE, 'alice-source'));
    const again = (await call<ExportBody>(KEY_ALICE, 'GET', `/sessions/${imported.body.id}/export`)).body;
    expect(again.approvals).toEqual(exported.approvals);
    expect(again.agent_context).toEqual(exported.agent_context);
    expect((await call(KEY_BOB, 'GET', `/sessions/${imported.body.id}/history`)).status).toBe(404);
  });

  it('imports OpenAI messages (text parts, tool calls) with a title from the first user message', async () => {
    const res = await call<SessionBody>(KEY_ALICE, 'POST', '/imports', {
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'What does' }, { type: 'text', text: 'main.py do?' }] },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.py"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'print("hi")' },
        { role: 'assistant', content: 'It prints hi.', refusal: null },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'What does main.py do?', message_count: 4, current_agent: 'orchestrator' });
    expect((await history(KEY_ALICE, res.body.id)).messages).toEqual([
      { role: 'user', content: 'What does\nmain.py do?' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.py"}' } }] },
      { role: 'tool', tool_call_id: 'c1', content: 'print("hi")' },
      { role: 'assistant', content: 'It prints hi.' },
    ]);
  });

  it('accepts imports larger than the 100 KiB other routes allow', async () => {
    const long = 'x'.repeat(300 * 1024);
    const res = await call<SessionBody>(KEY_ALICE, 'POST', '/imports', { title: 'Big', messages: [{ role: 'user', content: long }] });
    expect(res.status).toBe(201);
    expect((await history(KEY_ALICE, res.body.id)).messages).toEqual([{ role: 'user', content: long }]);
    const elsewhere = await call(KEY_ALICE, 'POST', '/sessions', { title: long });
    expect(elsewhere.status).toBe(413);
  });

  it('refuses a broken import whole, naming the first bad message, and stores nothing', async () => {
    const before = (await call<{ total: number }>(KEY_ALICE, 'GET', '/sessions')).body.total;
    const ask = { role: 'user', content: 'unstorable wombat' };
    const callA = { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'read_file', arguments: '{}' } }] };
    const cases: [unknown, RegExp][] = [
      [{ messages: [ask, callA, { role: 'tool', tool_call_id: 'b', content: 'x' }] }, /^messages\[2\]: tool_call_id b answers no earlier unanswered tool call$/],
      [{ messages: [ask, callA, ask, { role: 'tool', tool_call_id: 'a', content: 'x' }] }, /^messages\[2\]: a user message while tool call a of messages\[1\] has no answer yet$/],
      [{ messages: [ask, callA] }, /^messages\[1\]: tool call a has no answer/],
      [{ messages: [ask, callA, { role: 'tool', tool_call_id: 'a', content: 'x' }, { role: 'tool', tool_call_id: 'a', content: 'x' }] }, /^messages\[3\]: tool_call_id a answers no/],
      [{ messages: [{ role: 'system', content: 'You are…' }, ask] }, /^messages\[0\]: role system is not accepted/],
      [{ messages: [ask, { role: 'robot', content: 'x' }] }, /^messages\[1\]: role must be user, assistant or tool/],
      [{ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'x' } }] }] }, /^messages\[0\]: content\[0\] is not a text part/],
      [{ messages: [ask, { role: 'assistant', content: null, tool_calls: [{ id: 'a', type: 'function', function: { name: 'read_file', arguments: '[1' } }] }] }, /^messages\[1\]: tool_calls\[0\]\.function\.arguments must be a JSON object/],
      [{ messages: [ask, { role: 'assistant', content: null }] }, /^messages\[1\]: an assistant message needs content or tool_calls$/],
      [{ messages: [{ role: 'user', content: '' }] }, /^messages\[0\]: a user message needs text content$/],
      [{ messages: 'hello' }, /^messages must be an array/],
      [{ format: 'codelab-session', version: 2, session: {}, messages: [ask] }, /^version 2 is not supported/],
      [{ format: 'codelab-session', version: 1, session: {}, messages: [ask], agent_context: { current_agent: 'wizard' } }, /^agent_context\.current_agent/],
      [{ format: 'codelab-session', version: 1, session: {}, messages: [ask], approvals: [{ call_id: 'zz' }] }, /^approvals\[0\]\.call_id matches no tool call/],
      [[ask], /^The body must be a JSON object/],
    ];
    for (const [body, message] of cases) {
      const res = await call<ErrorBody>(KEY_ALICE, 'POST', '/imports', body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.message).toMatch(message);
    }
    expect((await call<{ total: number }>(KEY_ALICE, 'GET', '/sessions')).body.total).toBe(before);
    const found = await call<{ results: unknown[] }>(KEY_ALICE, 'GET', '/search?q=wombat');
    expect(found.body.results).toEqual([]);
  });

  it('forks up to a message: a copy of the prefix and the agent context; 400 between a call and its answer', async () => {
    const source = await history(KEY_ALICE, 'alice-source');
    const callAt = source.messages.findIndex((m) => Array.isArray(m['tool_calls']));
    const cut = await call<ErrorBody>(KEY_ALICE, 'POST', '/sessions/alice-source/fork', { up_to_seq: callAt });
    expect(cut.status).toBe(400);
    expect(cut.body.message).toMatch(new RegExp(`^up_to_seq ${callAt} would cut tool call call_[0-9a-f]+ \\(message ${callAt}\\) from its answer`));
    expect((await call(KEY_ALICE, 'POST', '/sessions/alice-source/fork', { up_to_seq: source.messages.length })).status).toBe(400);
    expect((await call(KEY_ALICE, 'POST', '/sessions/alice-source/fork', { up_to_seq: -1 })).status).toBe(400);

    const prefix = await call<SessionBody>(KEY_ALICE, 'POST', '/sessions/alice-source/fork', { up_to_seq: 1, title: 'Second try' });
    expect(prefix.status).toBe(201);
    expect(prefix.body).toMatchObject({ title: 'Second try', message_count: 2 });
    const forked = await history(KEY_ALICE, prefix.body.id);
    expect(forked.messages).toEqual(source.messages.slice(0, 2));
    expect({ current_agent: forked.current_agent, agent_history: forked.agent_history }).toEqual({
      current_agent: source.current_agent,
      agent_history: source.agent_history,
    });
    const found = await call<{ results: { session_id: string }[] }>(KEY_ALICE, 'GET', `/search?q=resume&session_id=${prefix.body.id}`);
    expect(found.body.results.map((r) => r.session_id)).toEqual([prefix.body.id, prefix.body.id]);
    const whole = await call<SessionBody>(KEY_ALICE, 'POST', '/sessions/alice-source/fork', {});
    expect(whole.body).toMatchObject({ message_count: source.messages.length, title: 'Please create the résumé file' });
    expect(await history(KEY_ALICE, whole.body.id)).toEqual(source);
    const approvals = async (id: string) => (await call<ExportBody>(KEY_ALICE, 'GET', `/sessions/${id}/export`)).body.approvals;
    expect(await approvals(whole.body.id)).toEqual(await approvals('alice-source'));
    expect(await approvals(prefix.body.id)).toEqual([]);
  });

  it('a session waiting for a tool result forks only before the call', async () => {
    const socket = await app.open('/ws/alice-waiting', as(KEY_ALICE));
    await socket.request({ type: 'user_message', content: 'hello' });
    only(await socket.request({ type: 'user_message', content: '/tool read_file {"path":"a.txt"}' }));
    const all = await call<ErrorBody>(KEY_ALICE, 'POST', '/sessions/alice-waiting/fork', {});
    expect(all.status).toBe(400);
    expect(all.body.message).toMatch(/^up_to_seq 3 would cut tool call call_[0-9a-f]+ \(message 3\)/);
    const before = await call<SessionBody>(KEY_ALICE, 'POST', '/sessions/alice-waiting/fork', { up_to_seq: 2 });
    expect(before.body).toMatchObject({ message_count: 3 });
  });

  it('a fork is independent of its source both ways', async () => {
    await converse('alice-independent');
    const before = await history(KEY_ALICE, 'alice-independent');
    const fork = (await call<SessionBody>(KEY_ALICE, 'POST', '/sessions/alice-independent/fork', {})).body;

    const onFork = await app.open(`/ws/${fork.id}`, as(KEY_ALICE));
    await onFork.request({ type: 'user_message', content: 'only in the fork' });
    expect(await history(KEY_ALICE, 'alice-independent')).toEqual(before);

    const onSource = await app.open('/ws/alice-independent', as(KEY_ALICE));
    await onSource.request({ type: 'user_message', content: 'only in the source' });
    const forkHistory = await history(KEY_ALICE, fork.id);
    expect(forkHistory.messages.slice(0, before.messages.length)).toEqual(before.messages);
    expect(forkHistory.messages.map((m) => m['content'])).toContain('only in the fork');
    expect(forkHistory.messages.map((m) => m['content'])).not.toContain('only in the source');

    expect((await call(KEY_ALICE, 'DELETE', '/sessions/alice-independent')).status).toBe(204);
    expect((await history(KEY_ALICE, fork.id)).messages).toEqual(forkHistory.messages);
  });

  it('documents the routes in the OpenAPI document, with examples', async () => {
    type Operation = { responses: Record<string, { content?: Record<string, unknown> }>; requestBody?: { content: Record<string, { examples?: object }> } };
    const doc = await http<{ paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, unknown> } }>(
      app.running.baseUrl,
      'GET',
      '/api/docs-json',
      undefined,
      as(KEY_ALICE),
    );
    expect(doc.status).toBe(200);
    const op = (path: string, method: string) => doc.body.paths[`/api/v1${path}`]?.[method];
    expect(op('/search', 'get')?.responses['200']).toBeDefined();
    expect(Object.keys(op('/sessions/{id}/export', 'get')?.responses['200']?.content ?? {}).sort()).toEqual(['application/json', 'text/markdown']);
    expect(Object.keys(op('/imports', 'post')?.requestBody?.content['application/json']?.examples ?? {})).toEqual(['openai', 'export']);
    expect(op('/imports', 'post')?.responses['400']).toBeDefined();
    expect(op('/sessions/{id}/fork', 'post')?.responses['201']).toBeDefined();
    for (const schema of ['SearchResponseDto', 'SessionExportDto', 'ImportMessagesDto', 'ForkSessionDto']) expect(doc.body.components.schemas[schema]).toBeDefined();
  });

  it('another user’s session cannot be exported or forked (404)', async () => {
    for (const [method, path] of [
      ['GET', '/sessions/alice-source/export'],
      ['GET', '/sessions/alice-source/export?format=markdown'],
      ['POST', '/sessions/alice-source/fork'],
    ] as const) {
      const res = await call(KEY_BOB, method, path, method === 'POST' ? {} : undefined);
      expect({ path, status: res.status }).toEqual({ path, status: 404 });
    }
    expect((await call(KEY_ALICE, 'GET', '/sessions/bad%20id/export')).status).toBe(400);
  });
});
