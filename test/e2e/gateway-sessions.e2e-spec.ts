import { expect } from '@jest/globals';
import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';
import { Frame, TestSocket } from '../utils/ws-client';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface HistoryBody {
  messages: { role: string; content: string | null }[];
  message_count: number;
}

describe('WebSocket gateway: sessions, ids and bad input (e2e)', () => {
  const app = useTestApp(() => ({ WS_MAX_FRAME_BYTES: String(64 * 1024) }));
  const open = (path: string): Promise<TestSocket> => app.open(path);
  const history = async (id: string) => (await http<HistoryBody>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body;
  const types = (frames: Frame[]) => frames.map((f) => f.type);


  it('temporary id: three messages, session_info exactly once as the first frame, real UUID listed', async () => {
    const socket = await open('/api/v1/ws/new_1739091234567');
    const first = await socket.request({ type: 'user_message', content: 'hello there', role: 'user' });
    expect(first[0]).toEqual({ type: 'session_info', session_id: expect.stringMatching(UUID_V4), is_final: false });
    const realId = first[0]?.['session_id'] as string;
    expect(first.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    expect(first.at(-1)?.['content']).toContain('hello there');
    expect(first.filter((f) => f['is_final'] === true)).toHaveLength(1);

    const second = await socket.request({ type: 'user_message', content: 'second message' });
    const third = await socket.request({ type: 'user_message', content: 'third message' });
    for (const reply of [second, third]) {
      expect(types(reply)).not.toContain('session_info');
      expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    }
    const list = await http<{ sessions: { id: string }[] }>(app.running.baseUrl, 'GET', '/api/v1/sessions?limit=1000');
    const ids = list.body.sessions.map((s) => s.id);
    expect(ids).toContain(realId);
    expect(ids.some((id) => id.startsWith('new_'))).toBe(false);
    const stored = await history(realId);
    expect(stored.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
    expect(stored.messages[4]?.content).toBe('third message');
  });

  it('existing session (both URL forms): no session_info, history appended; reconnecting never repeats it', async () => {
    await http(app.running.baseUrl, 'POST', '/api/v1/sessions', { session_id: 'existing-1' });
    const compat = await open('/ws/existing-1');
    const reply = await compat.request({ type: 'user_message', content: 'via the old path', role: 'user' });
    expect(types(reply)).not.toContain('session_info');
    await compat.close();
    const again = await open('/api/v1/ws/existing-1');
    const reply2 = await again.request({ type: 'user_message', content: 'via the new path', role: 'user' });
    expect(types(reply2)).not.toContain('session_info');
    expect((await history('existing-1')).message_count).toBe(4);
  });

  it('unknown non-temporary id: created with exactly that id by the first user_message', async () => {
    const socket = await open('/api/v1/ws/client-made-7');
    expect((await http(app.running.baseUrl, 'GET', '/api/v1/sessions/client-made-7')).status).toBe(404);
    const reply = await socket.request({ type: 'user_message', content: 'hi' });
    expect(types(reply)).not.toContain('session_info');
    expect((await http(app.running.baseUrl, 'GET', '/api/v1/sessions/client-made-7')).status).toBe(200);
  });

  it('switch_agent on a temporary id creates the session and announces it first', async () => {
    const socket = await open('/ws/new_switch_first');
    const reply = await socket.request({ type: 'switch_agent', agent_type: 'debug', content: 'Switched to Debug', reason: null });
    expect(types(reply)).toEqual(['session_info', 'agent_switched']);
    const id = reply[0]?.['session_id'] as string;
    expect(reply[1]).toMatchObject({ from_agent: 'orchestrator', to_agent: 'debug', is_final: true });
    const next = await socket.request({ type: 'user_message', content: 'why does it crash' });
    expect(types(next)).toEqual(['assistant_message']);
    const current = await http<{ current_agent: string }>(app.running.baseUrl, 'GET', `/api/v1/agents/${id}/current`);
    expect(current.body.current_agent).toBe('debug');
  });

  it('reconnecting with the same temporary id resumes the same session and re-sends session_info', async () => {
    const first = await open('/api/v1/ws/new_dropped');
    const reply = await first.request({ type: 'user_message', content: 'before the drop' });
    const id = reply[0]?.['session_id'];
    await first.close();
    const second = await open('/api/v1/ws/new_dropped');
    const again = await second.request({ type: 'user_message', content: 'after the drop' });
    expect(again[0]).toEqual({ type: 'session_info', session_id: id, is_final: false });
    expect((await history(String(id))).message_count).toBe(4);
  });

  it('the IDE frame shape (every key, nulls included) is accepted', async () => {
    const socket = await open('/api/v1/ws/ide-shaped');
    const reply = await socket.request({
      type: 'user_message',
      content: 'explain this',
      role: 'user',
      is_final: null,
      call_id: null,
      tool_name: null,
      arguments: null,
      requires_approval: null,
      result: null,
      error: null,
      agent_type: null,
      from_agent: null,
      to_agent: null,
      reason: null,
      metadata: null,
    });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    for (const frame of reply) expect(Object.values(frame)).not.toContain(null);
  });

  it.each([
    ['not json at all', /^Invalid JSON/],
    ['[1,2,3]', /^Invalid JSON/],
    [JSON.stringify({ content: 'no type' }), /^Message type is required$/],
    [JSON.stringify({ type: 'teleport' }), /^Unknown message type: teleport$/],
    [JSON.stringify({ type: 'user_message' }), /content/],
    [JSON.stringify({ type: 'user_message', content: '' }), /content/],
    [JSON.stringify({ type: 'user_message', content: '   ' }), /content/],
    [JSON.stringify({ type: 'user_message', content: 42 }), /content/],
    [JSON.stringify({ type: 'user_message', content: 'x', agent_type: 'wizard' }), /agent_type/],
    [JSON.stringify({ type: 'tool_result', result: {} }), /call_id/],
    [JSON.stringify({ type: 'switch_agent', agent_type: 'nobody' }), /agent_type/],
    [JSON.stringify({ type: 'hitl_decision', call_id: 'c', decision: 'maybe' }), /decision/],
    [JSON.stringify({ type: 'hitl_decision', call_id: 'c', decision: 'edit', modified_arguments: 'x' }), /modified_arguments/],
    [JSON.stringify({ type: 'cancel' }), /^Unknown message type: cancel$/],
  ])('bad frame %s → one error frame, socket stays open, nothing stored', async (text, pattern) => {
    const socket = await open('/api/v1/ws/bad-input');
    const before = (await http<HistoryBody>(app.running.baseUrl, 'GET', '/api/v1/sessions/bad-input/history')).body;
    const reply = await socket.request(text);
    expect(reply).toHaveLength(1);
    const [error] = reply;
    expect(error).toMatchObject({ type: 'error', is_final: true });
    expect(error?.['content']).toBe(error?.['error']);
    expect(String(error?.['content'])).toMatch(pattern);
    const ok = await socket.request({ type: 'user_message', content: 'still here' });
    expect(ok.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    const after = await history('bad-input');
    expect(after.message_count).toBe((before?.message_count ?? 0) + 2);
    expect(after.messages.at(-2)).toEqual({ role: 'user', content: 'still here' });
  });

  it('a frame over the size limit closes the socket with 1009 and stores nothing', async () => {
    const socket = await open('/api/v1/ws/too-big');
    socket.send({ type: 'user_message', content: 'x'.repeat(70 * 1024) });
    expect(await socket.waitClosed()).toBe(1009);
    expect((await http(app.running.baseUrl, 'GET', '/api/v1/sessions/too-big')).status).toBe(404);
  });

  it.each([
    ['/api/v1/ws/bad id', 400],
    ['/api/v1/ws/-starts-with-dash', 400],
    [`/api/v1/ws/${'a'.repeat(129)}`, 400],
    ['/api/v1/ws/ok?protocol=3', 400],
    ['/api/v1/ws/ok?protocol=2&last_seq=-1', 400],
    ['/api/v1/nowhere/abc', 404],
    ['/api/v1/ws/', 400],
  ])('upgrade to %s is refused with %i and no socket', async (path, status) => {
    expect(await TestSocket.refused(`${app.running.wsUrl}${path.replace(/ /g, '%20')}`)).toBe(status);
  });

  it('a tool_result or hitl_decision for an unknown call_id gets an error and changes nothing', async () => {
    const socket = await open('/api/v1/ws/unknown-call');
    await socket.request({ type: 'user_message', content: 'hello' });
    for (const frame of [
      { type: 'tool_result', call_id: 'call_nope', result: { success: true } },
      { type: 'hitl_decision', call_id: 'call_nope', decision: 'approve' },
    ]) {
      const reply = await socket.request(frame);
      expect(reply).toEqual([expect.objectContaining({ type: 'error', is_final: true })]);
      expect(String(reply[0]?.['content'])).toContain('call_nope');
    }
    expect((await history('unknown-call')).message_count).toBe(2);
    const temp = await open('/api/v1/ws/new_nothing_yet');
    const early = await temp.request({ type: 'tool_result', call_id: 'call_x', result: {} });
    expect(early).toEqual([expect.objectContaining({ type: 'error', is_final: true })]);
  });

  it('frames of one session from several sockets are processed one at a time (no interleaving)', async () => {
    const a = await open('/api/v1/ws/shared-session');
    const b = await open('/ws/shared-session');
    const replies = await Promise.all([
      ...[1, 2, 3].map((i) => a.request({ type: 'user_message', content: `from a ${i}` })),
      ...[1, 2, 3].map((i) => b.request({ type: 'user_message', content: `from b ${i}` })),
    ]);
    expect(replies.every((r) => r.at(-1)?.['type'] === 'assistant_message')).toBe(true);
    const stored = (await history('shared-session')).messages;
    expect(stored).toHaveLength(12);
    for (let i = 0; i < stored.length; i += 2) {
      const user = stored[i];
      const answer = stored[i + 1];
      expect(user?.role).toBe('user');
      expect(answer?.role).toBe('assistant');
      expect(answer?.content).toContain(String(user?.content));
    }
  });
});
