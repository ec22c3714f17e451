import { expect } from '@jest/globals';
import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';
import { Frame, TestSocket } from '../utils/ws-client';

/** Reads an SSE response into frames (each event is one `data:` line and a blank line). */
async function postStream(baseUrl: string, body: unknown): Promise<{ status: number; type: string | null; frames: Frame[] }> {
  const response = await fetch(`${baseUrl}/api/v1/agent/message/stream`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  const frames = response.headers.get('content-type')?.startsWith('text/event-stream')
    ? text
        .split('\n\n')
        .filter((block) => block.trim() !== '')
        .map((block) => {
          expect(block.startsWith('data: ')).toBe(true);
          return JSON.parse(block.slice('data: '.length)) as Frame;
        })
    : [];
  return { status: response.status, type: response.headers.get('content-type'), frames };
}

describe('Routing, agent switching and the SSE endpoint (e2e)', () => {
  const app = useTestApp();
  let counter = 0;
  const connect = async (): Promise<{ id: string; socket: TestSocket }> => {
    const id = `route-${++counter}`;
    const socket = await app.open(`/ws/${id}`);
    return { id, socket };
  };


  it.each([
    ['Please implement a parser', 'coder'],
    ['Refactor this module', 'coder'],
    ['Design the architecture of the cache', 'architect'],
    ['Write a spec? no: plan the release', 'coder'],
    ['Why does it crash on start', 'debug'],
    ['There is a bug in the login', 'debug'],
    ['Explain this function', 'ask'],
    ['What is a monad', 'ask'],
    ['hello there', 'coder'],
  ])('the orchestrator routes "%s" to %s, and the session sticks with it', async (text, agent) => {
    const { id, socket } = await connect();
    const reply = await socket.request({ type: 'user_message', content: text, role: 'user' });
    expect(reply.map((f) => f.type)).toEqual(['agent_switched', 'assistant_message']);
    expect(reply[0]).toMatchObject({
      from_agent: 'orchestrator',
      to_agent: agent,
      is_final: false,
      metadata: { from_agent: 'orchestrator', to_agent: agent, confidence: expect.any(String) },
    });
    expect(reply[0]?.['reason']).toBe((reply[0]?.['metadata'] as Record<string, unknown>)['reason']);
    const next = await socket.request({ type: 'user_message', content: 'design something else now' });
    expect(next.map((f) => f.type)).toEqual(['assistant_message']);
    const current = await http<{ current_agent: string; switch_count: number; agent_history: unknown[] }>(
      app.running.baseUrl,
      'GET',
      `/api/v1/agents/${id}/current`,
    );
    expect(current.body).toMatchObject({ current_agent: agent, switch_count: 1 });
    expect(current.body.agent_history).toEqual([
      { from: 'orchestrator', to: agent, reason: expect.any(String), timestamp: expect.any(String) },
    ]);
  });

  it('switch_agent answers one final agent_switched; agent_type switches before the message runs', async () => {
    const { id, socket } = await connect();
    const switched = await socket.request({ type: 'switch_agent', agent_type: 'architect', reason: 'I want a plan' });
    expect(switched).toEqual([
      {
        type: 'agent_switched',
        content: 'Switched to architect agent',
        from_agent: 'orchestrator',
        to_agent: 'architect',
        reason: 'I want a plan',
        metadata: { from_agent: 'orchestrator', to_agent: 'architect', reason: 'I want a plan', confidence: 'high' },
        is_final: true,
      },
    ]);
    const same = await socket.request({ type: 'switch_agent', agent_type: 'architect' });
    expect(same).toEqual([expect.objectContaining({ from_agent: 'architect', to_agent: 'architect', is_final: true })]);
    const forced = await socket.request({ type: 'user_message', content: 'explain it', agent_type: 'debug' });
    expect(forced.map((f) => f.type)).toEqual(['agent_switched', 'assistant_message']);
    expect(forced[0]).toMatchObject({ from_agent: 'architect', to_agent: 'debug', is_final: false });
    const history = await http<{ current_agent: string; agent_history: { from: string; to: string }[] }>(
      app.running.baseUrl,
      'GET',
      `/api/v1/sessions/${id}/history`,
    );
    expect(history.body.current_agent).toBe('debug');
    expect(history.body.agent_history.map((h) => `${h.from}>${h.to}`)).toEqual(['orchestrator>architect', 'architect>debug']);
  });

  it('switching back to the orchestrator makes it route the next message again', async () => {
    const { socket } = await connect();
    await socket.request({ type: 'switch_agent', agent_type: 'coder' });
    await socket.request({ type: 'switch_agent', agent_type: 'orchestrator' });
    const reply = await socket.request({ type: 'user_message', content: 'explain the cache' });
    expect(reply[0]).toMatchObject({ type: 'agent_switched', from_agent: 'orchestrator', to_agent: 'ask' });
  });

  it('SSE without a session_id creates a session and starts with session_info', async () => {
    const result = await postStream(app.running.baseUrl, { message: { type: 'user_message', content: 'create a file', role: 'user' } });
    expect(result.status).toBe(200);
    expect(result.type).toMatch(/^text\/event-stream/);
    expect(result.frames.map((f) => f.type)).toEqual(['session_info', 'agent_switched', 'assistant_message']);
    expect(result.frames.filter((f) => f['is_final'] === true)).toHaveLength(1);
    const id = String(result.frames[0]?.['session_id']);
    const again = await postStream(app.running.baseUrl, { session_id: id, message: { type: 'user_message', content: 'and another' } });
    expect(again.frames.map((f) => f.type)).toEqual(['assistant_message']);
    const history = await http<{ message_count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
    expect(history.body.message_count).toBe(4);
  });

  it('SSE with a temporary id behaves like the WebSocket: same id, same user, within 10 minutes, same session', async () => {
    const first = await postStream(app.running.baseUrl, { session_id: 'new_sse_1', message: { type: 'user_message', content: 'first' } });
    expect(first.frames[0]).toMatchObject({ type: 'session_info', is_final: false });
    const id = String(first.frames[0]?.['session_id']);
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    const again = await postStream(app.running.baseUrl, { session_id: 'new_sse_1', message: { type: 'user_message', content: 'second' } });
    expect(again.frames[0]).toEqual({ type: 'session_info', session_id: id, is_final: false });
    const socket = await app.open('/ws/new_sse_1');
    const viaSocket = await socket.request({ type: 'user_message', content: 'third' });
    expect(viaSocket[0]).toEqual({ type: 'session_info', session_id: id, is_final: false });
    const other = await postStream(app.running.baseUrl, { session_id: 'new_sse_2', message: { type: 'user_message', content: 'x' } });
    expect(other.frames[0]?.['session_id']).not.toBe(id);
    const history = await http<{ messages: { role: string; content: string }[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
    expect(history.body.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['first', 'second', 'third']);
  });

  it('SSE and WebSocket share one runtime: a tool call made over SSE is answered over SSE', async () => {
    const first = await postStream(app.running.baseUrl, {
      session_id: 'sse-tools',
      message: { type: 'user_message', content: '/tool list_files {"path":"."}', agent_type: 'coder' },
    });
    const call = first.frames.at(-1) as Frame;
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'list_files' });
    const second = await postStream(app.running.baseUrl, {
      session_id: 'sse-tools',
      message: { type: 'tool_result', call_id: call['call_id'], result: { items: [], total_count: 0 } },
    });
    expect(second.frames.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
  });

  it.each([
    [{}, /message/],
    [{ message: 'text' }, /message/],
    [{ message: { type: 'nope' } }, /Unknown message type: nope/],
    [{ message: { type: 'user_message', content: '' } }, /content/],
    [{ session_id: 'bad id', message: { type: 'user_message', content: 'x' } }, /session_id/],
    [{ message: { type: 'tool_result', call_id: 'c' } }, /existing session/],
  ])('SSE rejects %j with 400 before streaming', async (body, pattern) => {
    const res = await http<{ statusCode: number; message: string }>(app.running.baseUrl, 'POST', '/api/v1/agent/message/stream', body);
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(pattern);
  });
});
