import { expect } from '@jest/globals';
import { useFakeModelApp } from '../utils/fake-model-app';
import { http } from '../utils/http';
import { Frame, TestSocket } from '../utils/ws-client';

type WireMessage = { role: string; content?: unknown; tool_call_id?: string; tool_calls?: { id: string; function: { name: string; arguments: string } }[] };

/** The whole service against a fake OpenAI-compatible server that streams real SSE on 127.0.0.1. */
describe('Conversation loop with the openai provider (e2e)', () => {
  const app = useFakeModelApp({ LLM_API_KEY: 'sk-test-secret', LLM_MODEL: 'fake-model', LLM_TIMEOUT_MS: '3000' });
  let counter = 0;
  const connect = async (id = `oa-${++counter}`): Promise<{ id: string; socket: TestSocket }> => ({
    id,
    socket: await app.open(`/api/v1/ws/${id}`),
  });
  const messagesOf = (index = -1): WireMessage[] => app.fake.body(index)['messages'] as WireMessage[];
  const toolNamesOf = (index = -1): string[] =>
    ((app.fake.body(index)['tools'] as { function: { name: string } }[] | undefined) ?? []).map((t) => t.function.name);
  const classification = (agent: string) => ({ kind: 'text' as const, chunks: [`{"agent":"${agent}","confidence":"high","reasoning":"looks like ${agent} work"}`] });


  it('the model classifies the first message, then the chosen agent streams its answer', async () => {
    const { socket } = await connect();
    app.fake.enqueue(classification('architect'), { kind: 'text', chunks: ['A plan', ' in', ' three steps.'] });
    const reply = await socket.request({ type: 'user_message', content: 'How should the modules be laid out?' });
    expect(reply.map((f) => f.type)).toEqual(['agent_switched', 'assistant_message']);
    expect(reply[0]).toMatchObject({ from_agent: 'orchestrator', to_agent: 'architect', reason: 'looks like architect work' });
    expect(reply[1]).toMatchObject({ content: 'A plan in three steps.', token: 'A plan in three steps.', is_final: true });
    expect(app.fake.body(0)['stream']).toBeFalsy();
    expect(app.fake.body(0)['tools']).toBeUndefined();
    expect(app.fake.body(1)).toMatchObject({ model: 'fake-model', stream: true });
    expect(messagesOf(1)[0]).toMatchObject({ role: 'system', content: expect.stringContaining('architect') });
    expect(toolNamesOf(1).sort()).toEqual(['list_files', 'read_file', 'search_in_code', 'write_file']);
    expect(app.fake.requests[1]?.headers['authorization']).toBe('Bearer sk-test-secret');
  });

  it('falls back to keywords when classification fails', async () => {
    const { socket } = await connect();
    app.fake.enqueue({ kind: 'error', status: 500 }, { kind: 'text', chunks: ['Found it.'] });
    const reply = await socket.request({ type: 'user_message', content: 'investigate this crash please' });
    expect(reply[0]).toMatchObject({ type: 'agent_switched', to_agent: 'debug' });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', content: 'Found it.' });
  });

  it('tool round trip: the history replayed to the model is exact OpenAI form', async () => {
    const { id, socket } = await connect();
    app.fake.enqueue(
      { kind: 'tool_calls', text: ['Let me look.'], calls: [{ id: 'call_0', name: 'read_file', arguments: '{"path":"src/main.ts"}' }] },
      { kind: 'text', chunks: ['The file ', 'bootstraps Nest.'] },
    );
    const call = await socket.request({ type: 'user_message', content: 'what does main do?', agent_type: 'ask' });
    expect(call.map((f) => f.type)).toEqual(['agent_switched', 'tool_call']);
    const toolCall = call[1] as Frame;
    expect(toolCall).toMatchObject({ tool_name: 'read_file', arguments: { path: 'src/main.ts' }, requires_approval: false });
    const answer = await socket.request({ type: 'tool_result', call_id: toolCall['call_id'], tool_name: 'read_file', result: { success: true, content: 'bootstrap()' } });
    expect(answer.at(-1)).toMatchObject({ type: 'assistant_message', content: 'The file bootstraps Nest.', is_final: true });
    const replayed = messagesOf(-1);
    expect(replayed.slice(1)).toEqual([
      { role: 'user', content: 'what does main do?' },
      {
        role: 'assistant',
        content: 'Let me look.',
        tool_calls: [{ id: toolCall['call_id'], type: 'function', function: { name: 'read_file', arguments: '{"path":"src/main.ts"}' } }],
      },
      { role: 'tool', tool_call_id: toolCall['call_id'], content: '{"success":true,"content":"bootstrap()"}' },
    ]);
    const history = await http<{ message_count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
    expect(history.body.message_count).toBe(4);
  });

  it('two tool calls in one answer go to the IDE one by one; the model runs once both are answered', async () => {
    const { socket } = await connect();
    app.fake.enqueue(
      {
        kind: 'tool_calls',
        calls: [
          { id: 'call_a', name: 'read_file', arguments: '{"path":"a.ts"}' },
          { id: 'call_b', name: 'list_files', arguments: '{"path":"."}' },
        ],
      },
      { kind: 'text', chunks: ['Both seen.'] },
    );
    const first = await socket.request({ type: 'user_message', content: 'look around', agent_type: 'coder' });
    const a = first.at(-1) as Frame;
    expect(a).toMatchObject({ type: 'tool_call', tool_name: 'read_file' });
    const second = await socket.request({ type: 'tool_result', call_id: a['call_id'], result: { content: 'a' } });
    expect(second).toEqual([expect.objectContaining({ type: 'tool_call', tool_name: 'list_files' })]);
    expect(app.fake.requests).toHaveLength(1);
    const done = await socket.request({ type: 'tool_result', call_id: second[0]?.['call_id'], result: { items: [] } });
    expect(done.at(-1)).toMatchObject({ content: 'Both seen.' });
    expect(messagesOf(-1).filter((m) => m.role === 'tool')).toHaveLength(2);
  });

  it('approval survives a restart: pending after restart, answered on a new socket, the turn continues', async () => {
    const { id, socket } = await connect();
    app.fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'write_file', arguments: '{"path":"hello.py","content":"print(1)"}' }] });
    const call = (await socket.request({ type: 'user_message', content: 'write hello', agent_type: 'coder' })).at(-1) as Frame;
    expect(call).toMatchObject({ type: 'tool_call', requires_approval: true });
    await socket.close();
    await app.restart();
    const pending = await http<{ pending_approvals: { call_id: string; tool_name: string }[] }>(
      app.running.baseUrl,
      'GET',
      `/api/v1/sessions/${id}/pending-approvals`,
    );
    expect(pending.body.pending_approvals).toEqual([expect.objectContaining({ call_id: call['call_id'], tool_name: 'write_file' })]);
    const { socket: again } = await connect(id);
    app.fake.enqueue({ kind: 'text', chunks: ['Written.'] });
    const reply = await again.request({ type: 'tool_result', call_id: call['call_id'], result: { success: true, bytes_written: 8 } });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', content: 'Written.' });
    const current = await http<{ current_agent: string }>(app.running.baseUrl, 'GET', `/api/v1/agents/${id}/current`);
    expect(current.body.current_agent).toBe('coder');
  });

  it('rejection and supersession reach the model as tool answers', async () => {
    const { socket } = await connect();
    app.fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'execute_command', arguments: '{"command":"rm -rf build"}' }] });
    const call = (await socket.request({ type: 'user_message', content: 'clean it', agent_type: 'coder' })).at(-1) as Frame;
    app.fake.enqueue({ kind: 'text', chunks: ['OK, I will not.'] });
    await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'reject', feedback: 'keep the build' });
    expect(messagesOf(-1).at(-1)).toEqual({ role: 'tool', tool_call_id: call['call_id'], content: 'Rejected by the user: keep the build' });

    app.fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'write_file', arguments: '{"path":"x","content":"y"}' }] });
    const second = (await socket.request({ type: 'user_message', content: 'write x' })).at(-1) as Frame;
    app.fake.enqueue({ kind: 'text', chunks: ['Fine.'] });
    await socket.request({ type: 'user_message', content: 'stop, do something else' });
    const replayed = messagesOf(-1);
    expect(replayed.at(-2)).toMatchObject({ role: 'tool', tool_call_id: second['call_id'], content: expect.stringMatching(/^Not run/) });
    expect(replayed.at(-1)).toEqual({ role: 'user', content: 'stop, do something else' });
  });

  it('a tool the agent may not use never reaches the IDE, and is not offered to the model', async () => {
    const { socket } = await connect();
    app.fake.enqueue({ kind: 'tool_calls', calls: [{ name: 'write_file', arguments: '{"path":"a.ts","content":""}' }] });
    const reply = await socket.request({ type: 'user_message', content: 'explain a.ts', agent_type: 'ask' });
    expect(reply.map((f) => f.type)).toEqual(['agent_switched', 'error']);
    expect(String(reply.at(-1)?.['content'])).toContain('ask agent may not use the tool "write_file"');
    expect(toolNamesOf(-1)).not.toContain('write_file');
  });

  it('a model failure ends the reply with a clean error and the session stays usable', async () => {
    const { id, socket } = await connect();
    app.fake.enqueue({ kind: 'error', status: 503, message: 'overloaded' });
    const failed = await socket.request({ type: 'user_message', content: 'hello', agent_type: 'coder' });
    const error = failed.at(-1) as Frame;
    expect(error).toMatchObject({ type: 'error', is_final: true });
    expect(String(error['content'])).toMatch(/503/);
    expect(String(error['content'])).not.toMatch(/\n\s+at |sk-test-secret/);
    app.fake.enqueue({ kind: 'text', chunks: ['Back again.'] });
    const ok = await socket.request({ type: 'user_message', content: 'hello again' });
    expect(ok.at(-1)).toMatchObject({ content: 'Back again.' });
    const history = await http<{ messages: { role: string }[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
    expect(history.body.messages.map((m) => m.role)).toEqual(['user', 'user', 'assistant']);
  });
});
