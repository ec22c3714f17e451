import { expect } from '@jest/globals';
import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';
import { Frame, TestSocket } from '../utils/ws-client';

interface HistoryMessage {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
}
interface PendingBody {
  pending_approvals: { call_id: string; tool_name: string; arguments: Record<string, unknown>; reason: string }[];
  count: number;
}

/** Tool round trips and approvals, driven offline through the echo model's `/tool name {json}` directive. */
describe('Tools and approvals over the WebSocket (e2e)', () => {
  const app = useTestApp();
  let counter = 0;

  const session = async (agent = 'coder'): Promise<{ id: string; socket: TestSocket }> => {
    const id = `tools-${++counter}`;
    const socket = await app.open(`/api/v1/ws/${id}`);
    await socket.request({ type: 'switch_agent', agent_type: agent });
    return { id, socket };
  };
  const history = async (id: string) =>
    (await http<{ messages: HistoryMessage[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body.messages;
  const pending = async (id: string) =>
    (await http<PendingBody>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/pending-approvals`)).body;
  const only = (reply: Frame[]): Frame => {
    expect(reply).toHaveLength(1);
    return reply[0] as Frame;
  };


  it('read_file round trip: tool_call without approval, result stored, same agent answers', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool read_file {"path":"src/a.ts"}' }));
    expect(call).toEqual({
      type: 'tool_call',
      call_id: expect.stringMatching(/^call_[0-9a-f]{24}$/),
      tool_name: 'read_file',
      arguments: { path: 'src/a.ts' },
      requires_approval: false,
      is_final: true,
    });
    expect((await pending(id)).count).toBe(0);
    const answer = await socket.request({
      type: 'tool_result',
      call_id: call['call_id'],
      tool_name: 'read_file',
      result: { success: true, content: 'export const a = 1;', lines_read: 1 },
    });
    expect(answer.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    expect(String(answer.at(-1)?.['content'])).toContain('export const a = 1;');
    const messages = await history(id);
    expect(messages).toEqual([
      { role: 'user', content: '/tool read_file {"path":"src/a.ts"}' },
      {
        role: 'assistant',
        content: '',
        tool_calls: [{ id: call['call_id'], type: 'function', function: { name: 'read_file', arguments: '{"path":"src/a.ts"}' } }],
      },
      {
        role: 'tool',
        tool_call_id: call['call_id'],
        content: JSON.stringify({ success: true, content: 'export const a = 1;', lines_read: 1 }),
      },
      { role: 'assistant', content: expect.stringContaining('The tool returned') },
    ]);
    const again = await socket.request({ type: 'tool_result', call_id: call['call_id'], result: {} });
    expect(only(again)).toMatchObject({ type: 'error' });
  });

  it('risky tool: requires approval, listed as pending; a tool_result error rejects it and the model goes on', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"a.py","content":"x"}' }));
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: true });
    const listed = await pending(id);
    expect(listed).toEqual({
      session_id: id,
      pending_approvals: [
        {
          call_id: call['call_id'],
          tool_name: 'write_file',
          arguments: { path: 'a.py', content: 'x' },
          reason: 'File modification requires user approval',
          created_at: expect.any(String),
        },
      ],
      count: 1,
    });
    const reply = await socket.request({ type: 'tool_result', call_id: call['call_id'], error: 'User rejected: too risky' });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    expect((await pending(id)).count).toBe(0);
    expect((await history(id))[2]).toEqual({ role: 'tool', tool_call_id: call['call_id'], content: 'Error: User rejected: too risky' });
  });

  it('hitl_decision approve re-sends the call to run; the result continues the turn', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool execute_command {"command":"npm test"}' }));
    expect(call['requires_approval']).toBe(true);
    const approved = only(await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'approve' }));
    expect(approved).toEqual({ ...call, requires_approval: false });
    expect((await pending(id)).count).toBe(0);
    const twice = only(await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'approve' }));
    expect(twice['type']).toBe('error');
    const done = await socket.request({ type: 'tool_result', call_id: call['call_id'], result: { exit_code: 0, stdout: 'ok' } });
    expect(String(done.at(-1)?.['content'])).toContain('exit_code');
  });

  it('hitl_decision edit sends the edited arguments; the history notes the edit', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"a.py","content":"bad"}' }));
    const missing = only(await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'edit' }));
    expect(missing).toMatchObject({ type: 'error', content: 'modified_arguments is required when decision is edit' });
    const edited = only(
      await socket.request({
        type: 'hitl_decision',
        call_id: call['call_id'],
        decision: 'edit',
        modified_arguments: { path: 'a.py', content: 'good' },
      }),
    );
    expect(edited).toMatchObject({ type: 'tool_call', arguments: { path: 'a.py', content: 'good' }, requires_approval: false });
    await socket.request({ type: 'tool_result', call_id: call['call_id'], result: { success: true } });
    const toolAnswer = (await history(id)).find((m) => m.role === 'tool');
    expect(toolAnswer?.content).toContain('"content":"good"');
  });

  it('hitl_decision reject records the feedback as the tool answer and the model goes on', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"a.py","content":"x"}' }));
    const reply = await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'reject', feedback: 'not now' });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    expect(String(reply.at(-1)?.['content'])).toContain('Rejected by the user: not now');
    expect((await pending(id)).count).toBe(0);
    expect((await history(id))[2]).toEqual({ role: 'tool', tool_call_id: call['call_id'], content: 'Rejected by the user: not now' });
  });

  it('a new user_message closes a pending call as not run (never approves it implicitly)', async () => {
    const { id, socket } = await session();
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"a.py","content":"x"}' }));
    const reply = await socket.request({ type: 'user_message', content: 'never mind, explain instead' });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    expect((await pending(id)).count).toBe(0);
    const messages = await history(id);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool', 'user', 'assistant']);
    expect(messages[2]?.tool_call_id).toBe(call['call_id']);
    expect(messages[2]?.content).toMatch(/^Not run/);
    const late = only(await socket.request({ type: 'tool_result', call_id: call['call_id'], result: { success: true } }));
    expect(late['type']).toBe('error');
  });

  it.each([
    ['ask', '/tool write_file {"path":"a.md","content":"x"}', /ask agent may not use the tool "write_file"/],
    ['debug', '/tool create_directory {"path":"x"}', /debug agent may not use the tool "create_directory"/],
    ['architect', '/tool write_file {"path":"main.py","content":"x"}', /only create or edit Markdown/],
    ['coder', '/tool launch_rockets {}', /coder agent may not use the tool "launch_rockets"/],
    ['coder', '/tool read_file [1,2]', /invalid arguments/],
  ])('the %s agent never sends a forbidden call (%s) to the IDE', async (agent, content, why) => {
    const { id, socket } = await session(agent);
    const reply = only(await socket.request({ type: 'user_message', content }));
    expect(reply).toMatchObject({ type: 'error', is_final: true });
    expect(String(reply['content'])).toMatch(why);
    expect((await pending(id)).count).toBe(0);
    const messages = await history(id);
    const answer = messages.at(-1);
    expect(answer?.role).toBe('tool');
    expect(answer?.tool_call_id).toBe(messages.at(-2)?.tool_calls?.[0]?.id);
    const next = await socket.request({ type: 'user_message', content: 'ok then' });
    expect(next.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
  });

  it('the architect may write Markdown', async () => {
    const { socket } = await session('architect');
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"docs/PLAN.md","content":"# Plan"}' }));
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: true });
  });
});
