import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';
import { Frame, TestSocket } from '../utils/ws-client';

interface HistoryMessage {
  role: string;
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; function: { name: string; arguments: string } }[];
}

/**
 * An approval edit (`hitl_decision` decision:"edit") is checked exactly like a call the model made:
 * the agent's tool rules and the tool's argument schema. A refused edit is answered like a forbidden
 * call: an `error` frame, a `tool` answer in the history, nothing sent to the IDE.
 */
describe('Approval edits are checked like model calls (e2e)', () => {
  const app = useTestApp();
  let counter = 0;

  const session = async (agent: string): Promise<{ id: string; socket: TestSocket }> => {
    const id = `edits-${++counter}`;
    const socket = await app.open(`/api/v1/ws/${id}`);
    await socket.request({ type: 'switch_agent', agent_type: agent });
    return { id, socket };
  };
  const history = async (id: string) =>
    (await http<{ messages: HistoryMessage[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body.messages;
  const pendingCount = async (id: string) =>
    (await http<{ count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/pending-approvals`)).body.count;
  const only = (reply: Frame[]): Frame => {
    expect(reply).toHaveLength(1);
    return reply[0] as Frame;
  };

  it.each([
    ['architect', '{"path":"notes.md","content":"# Notes"}', { path: 'evil.sh', content: 'rm -rf /' }, /only create or edit Markdown/],
    ['coder', '{"path":"a.py","content":"x"}', { path: 'a.py' }, /invalid arguments for "write_file".*content/],
    ['coder', '{"path":"a.py","content":"x"}', { path: 42, content: 'x' }, /invalid arguments for "write_file".*path/],
  ])('the %s agent: an edit to %s becoming %j is refused like a forbidden call', async (agent, args, edit, why) => {
    const { id, socket } = await session(agent);
    const call = only(await socket.request({ type: 'user_message', content: `/tool write_file ${args}` }));
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: true });

    const refused = only(
      await socket.request({ type: 'hitl_decision', call_id: call['call_id'], decision: 'edit', modified_arguments: edit }),
    );
    expect(refused).toMatchObject({ type: 'error', is_final: true });
    expect(String(refused['content'])).toMatch(why);
    expect(await pendingCount(id)).toBe(0);

    const messages = await history(id);
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(messages[2]).toMatchObject({ role: 'tool', tool_call_id: call['call_id'] });
    expect(messages[2]?.content).toMatch(/^Error: /);
    expect(messages[1]?.tool_calls?.[0]?.function.arguments).toBe(JSON.stringify(JSON.parse(args)));

    const late = only(await socket.request({ type: 'tool_result', call_id: call['call_id'], result: { success: true } }));
    expect(late).toMatchObject({ type: 'error' });
    const next = await socket.request({ type: 'user_message', content: 'fine, something else' });
    expect(next.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
  });

  it('an allowed edit still goes out with the edited arguments', async () => {
    const { socket } = await session('architect');
    const call = only(await socket.request({ type: 'user_message', content: '/tool write_file {"path":"a.md","content":"x"}' }));
    const edited = only(
      await socket.request({
        type: 'hitl_decision',
        call_id: call['call_id'],
        decision: 'edit',
        modified_arguments: { path: 'docs/b.md', content: 'y' },
      }),
    );
    expect(edited).toMatchObject({ type: 'tool_call', arguments: { path: 'docs/b.md', content: 'y' }, requires_approval: false });
  });

  it('a model call whose arguments break the tool schema never reaches the IDE', async () => {
    const { id, socket } = await session('coder');
    const reply = only(await socket.request({ type: 'user_message', content: '/tool read_file {"path":["a","b"]}' }));
    expect(reply).toMatchObject({ type: 'error', is_final: true });
    expect(String(reply['content'])).toMatch(/invalid arguments for "read_file".*path/);
    expect((await history(id)).at(-1)?.role).toBe('tool');
  });
});
