import { status as GrpcStatus } from '@grpc/grpc-js';
import { AgentServiceTestClient, collect } from '../utils/grpc-client';
import { HealthClient } from '../utils/grpc-health-client';
import { listServicesByReflection } from '../utils/grpc-reflection';
import { http } from '../utils/http';
import { tableCounts } from '../utils/table-counts';
import { useTestApp } from '../utils/use-test-app';

interface History {
  session_id: string;
  messages: { role: string; content: string | null; tool_call_id?: string }[];
  current_agent: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** PROTOCOL §6 with the offline echo model: every rpc, both session modes, errors as answers. */
describe('gRPC AgentService (e2e)', () => {
  const app = useTestApp(() => ({ GRPC_PORT: '0', MAX_MESSAGE_CHARS: '1000' }));
  let client: AgentServiceTestClient;
  let counter = 0;
  const fresh = () => `grpc-${++counter}`;
  const history = async (id: string) => http<History>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);

  beforeAll(() => {
    client = new AgentServiceTestClient(app.running.grpcAddress ?? 'gRPC is off');
  });
  afterAll(() => client.close());

  it('listens on GRPC_PORT=0 (a free port) on HOST', () => {
    expect(app.running.grpcAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(app.running.grpcAddress).not.toBe('127.0.0.1:0');
  });

  describe('echo-agent', () => {
    it('ExecuteTask echoes the input and the parameters, task_id and session_id', async () => {
      const response = await client.execute({
        task_id: 't-1',
        agent_id: 'echo-agent',
        input: 'hello there',
        parameters: { k: 'v', k2: 'v2' },
        session_id: 'echo-session',
      });
      expect(response).toMatchObject({
        task_id: 't-1',
        output: 'Echo Agent Response: hello there | Parameters: k=v, k2=v2',
        success: true,
        error: '',
        session_id: 'echo-session',
      });
      expect(response.metadata).toMatchObject({ agent_id: 'echo-agent', task_id: 't-1', agent: 'echo-agent', session_id: 'echo-session' });
      expect(Number(response.metadata['processed_at'])).toBeCloseTo(Date.now() / 1000, -1);
      const plain = await client.execute({ agent_id: 'echo-agent', input: 'hi' });
      expect(plain.output).toBe('Echo Agent Response: hi');
      expect(plain.task_id).toMatch(UUID);
      expect(plain.metadata['session_id']).toBeUndefined();
    });

    it('StreamTask sends one chunk per word, then [COMPLETE] as the final chunk', async () => {
      const chunks = await collect(client.stream({ task_id: 't-2', agent_id: 'echo-agent', input: 'one two  three', session_id: 's-x' }));
      expect(chunks).toEqual([
        { task_id: 't-2', content: 'one', is_final: false, session_id: 's-x' },
        { task_id: 't-2', content: 'two', is_final: false, session_id: 's-x' },
        { task_id: 't-2', content: 'three', is_final: false, session_id: 's-x' },
        { task_id: 't-2', content: '[COMPLETE]', is_final: true, session_id: 's-x' },
      ]);
    });
  });

  describe('our agents without session_id (stateless)', () => {
    it('ExecuteTask answers, routes through the orchestrator, and leaves no row in any table', async () => {
      const before = await tableCounts(app.running.app);
      const response = await client.execute({ task_id: 'st-1', agent_id: 'orchestrator', input: 'explain closures' });
      expect(response).toMatchObject({ task_id: 'st-1', success: true, error: '', session_id: '', output: 'You said: explain closures' });
      expect(response.metadata).toMatchObject({ agent_id: 'orchestrator', agent: 'ask', task_id: 'st-1' });
      expect(response.metadata['session_id']).toBeUndefined();
      const coder = await client.execute({ agent_id: 'coder', input: 'write a test' });
      expect(coder).toMatchObject({ success: true, output: 'You said: write a test' });
      expect(coder.metadata['agent']).toBe('coder');
      expect(await tableCounts(app.running.app)).toEqual(before);
    });

    it('StreamTask streams the answer piece by piece, then an empty final chunk; nothing is stored', async () => {
      const before = await tableCounts(app.running.app);
      const chunks = await collect(client.stream({ task_id: 'st-2', agent_id: 'debug', input: 'why does it crash' }));
      expect(chunks.length).toBeGreaterThan(2);
      expect(chunks.slice(0, -1).every((c) => !c.is_final && c.task_id === 'st-2' && c.session_id === '')).toBe(true);
      expect(chunks.map((c) => c.content).join('')).toBe('You said: why does it crash');
      expect(chunks.at(-1)).toEqual({ task_id: 'st-2', content: '', is_final: true, session_id: '' });
      expect(await tableCounts(app.running.app)).toEqual(before);
    });
  });

  describe('our agents with session_id (a turn of that session)', () => {
    it('creates an unknown session; the turn is in its history, in GET /sessions and on its protocol-2 sockets', async () => {
      const id = fresh();
      const watcher = await app.open(`/api/v1/ws/${id}?protocol=2`);
      expect(await watcher.next()).toMatchObject({ type: 'status', last_seq: 0 });
      const response = await client.execute({ task_id: 'ss-1', agent_id: 'coder', input: 'implement a queue', session_id: id });
      expect(response).toMatchObject({ task_id: 'ss-1', success: true, output: 'You said: implement a queue', session_id: id });
      expect(response.metadata).toMatchObject({ session_id: id, agent: 'coder', agent_id: 'coder' });

      const stored = await history(id);
      expect(stored.status).toBe(200);
      expect(stored.body.messages).toEqual([
        { role: 'user', content: 'implement a queue' },
        { role: 'assistant', content: 'You said: implement a queue' },
      ]);
      expect(stored.body.current_agent).toBe('coder');
      const list = await http<{ sessions: { id: string; title: string }[] }>(app.running.baseUrl, 'GET', '/api/v1/sessions');
      expect(list.body.sessions).toContainEqual(expect.objectContaining({ id, title: 'implement a queue' }));

      const seen = [await watcher.next(), await watcher.next()];
      expect(seen[0]).toMatchObject({ type: 'agent_switched', to_agent: 'coder' });
      let last = seen[1];
      while (last?.['is_final'] !== true) last = await watcher.next();
      expect(last).toMatchObject({ type: 'assistant_message', content: 'You said: implement a queue', is_final: true });
    });

    it('continues the session with its history as context, also when streamed, and from an IDE socket', async () => {
      const id = fresh();
      const ide = await app.open(`/api/v1/ws/${id}`);
      await ide.request({ type: 'user_message', content: 'first from the IDE', agent_type: 'ask' });
      const chunks = await collect(client.stream({ agent_id: 'ask', input: 'second from gRPC', session_id: id }));
      expect(chunks.every((c) => c.session_id === id)).toBe(true);
      expect(chunks.map((c) => c.content).join('')).toBe('You said: second from gRPC');
      expect(chunks.at(-1)).toMatchObject({ content: '', is_final: true });
      const stored = await history(id);
      expect(stored.body.messages.map((m) => m.content)).toEqual([
        'first from the IDE',
        'You said: first from the IDE',
        'second from gRPC',
        'You said: second from gRPC',
      ]);
    });

    it('closes a pending IDE tool call as not run, like a new user_message', async () => {
      const id = fresh();
      const ide = await app.open(`/api/v1/ws/${id}`);
      const reply = await ide.request({ type: 'user_message', content: '/tool write_file {"path":"a.ts","content":"x"}', agent_type: 'coder' });
      const call = reply.at(-1);
      expect(call).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: true });
      const pending = await http<{ count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/pending-approvals`);
      expect(pending.body.count).toBe(1);

      const response = await client.execute({ agent_id: 'coder', input: 'never mind', session_id: id });
      expect(response.success).toBe(true);
      const stored = await history(id);
      expect(stored.body.messages.slice(-3)).toEqual([
        { role: 'tool', tool_call_id: call?.['call_id'], content: 'Not run: the user sent a new message instead of answering this tool call.' },
        { role: 'user', content: 'never mind' },
        { role: 'assistant', content: 'You said: never mind' },
      ]);
      const after = await http<{ count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/pending-approvals`);
      expect(after.body.count).toBe(0);
    });

    it('offers the model no tools: an echo /tool directive is answered without a tool call', async () => {
      const id = fresh();
      const response = await client.execute({ agent_id: 'coder', input: '/tool read_file {"path":"a.ts"}', session_id: id });
      expect(response.success).toBe(true);
      const stored = await history(id);
      expect(stored.body.messages.every((m) => m.role !== 'tool' && !('tool_calls' in m))).toBe(true);
      const pending = await http<{ count: number }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/pending-approvals`);
      expect(pending.body.count).toBe(0);
    });
  });

  describe('bad tasks are answers that echo the ids and store nothing', () => {
    const bad: [string, Record<string, unknown>, string][] = [
      ['an unknown agent', { agent_id: 'nobody', input: 'x' }, 'Unknown agent: nobody'],
      ['no agent', { agent_id: '', input: 'x' }, 'agent_id is required'],
      ['an empty input', { agent_id: 'coder', input: '   ' }, 'input must not be empty'],
      ['an oversized input', { agent_id: 'coder', input: 'x'.repeat(1001) }, 'input is longer than 1000 characters'],
      ['oversized parameters', { agent_id: 'echo-agent', input: 'x', parameters: { p: 'y'.repeat(1000) } }, 'parameters are longer than 1000 characters'],
      ['a malformed session id', { agent_id: 'coder', input: 'x' , bad_session: ' spaces here' }, 'session_id must be'],
      ['a temporary session id', { agent_id: 'coder', input: 'x', bad_session: 'new_123' }, 'temporary'],
    ];

    it.each(bad)('%s', async (_label, fields, error) => {
      const { bad_session: badSession, ...request } = fields as Record<string, unknown> & { bad_session?: string };
      const sessionId = badSession ?? `grpc-bad-${++counter}`;
      const before = await tableCounts(app.running.app);
      const response = await client.execute({ ...request, task_id: 'bad-1', session_id: sessionId });
      expect(response).toMatchObject({ task_id: 'bad-1', success: false, output: '', session_id: sessionId });
      expect(response.error).toContain(error);
      expect(response.metadata).toMatchObject({ task_id: 'bad-1', session_id: sessionId });

      const chunks = await collect(client.stream({ ...request, task_id: 'bad-2', session_id: sessionId }));
      expect(chunks).toEqual([{ task_id: 'bad-2', content: `Error: ${response.error}`, is_final: true, session_id: sessionId }]);
      expect(await tableCounts(app.running.app)).toEqual(before);
    });
  });

  describe('GetStatus and ListAgents', () => {
    it('GetStatus: healthy for known agents, "unknown agent" otherwise, with the uptime', async () => {
      const status = await client.status('coder');
      expect(status).toMatchObject({ agent_id: 'coder', status: 'healthy', active_tasks: 0 });
      expect(status.uptime_seconds).toBeGreaterThanOrEqual(0);
      expect(typeof status.uptime_seconds).toBe('number');
      expect((await client.status('echo-agent')).status).toBe('healthy');
      expect(await client.status('ghost')).toMatchObject({ agent_id: 'ghost', status: 'unknown agent', active_tasks: 0 });
    });

    it('ListAgents lists every agent with its tools as capabilities; filter matches id, name or capability', async () => {
      const all = await client.list();
      expect(all.agents.map((a) => a.agent_id)).toEqual(['orchestrator', 'coder', 'architect', 'debug', 'ask', 'echo-agent']);
      expect(all.agents.find((a) => a.agent_id === 'debug')).toMatchObject({
        name: 'Debug Agent',
        capabilities: ['read_file', 'list_files', 'search_in_code', 'execute_command'],
      });
      expect((await client.list('write_file')).agents.map((a) => a.agent_id)).toEqual(['coder', 'architect']);
      expect((await client.list('Echo')).agents.map((a) => a.agent_id)).toEqual(['echo-agent']);
      expect((await client.list('archi')).agents.map((a) => a.agent_id)).toEqual(['architect']);
      expect((await client.list('CODER')).agents.map((a) => a.agent_id)).toEqual(['coder']);
      expect((await client.list('no-such-thing')).agents).toEqual([]);
    });
  });

  it('serves the standard gRPC health service', async () => {
    const health = new HealthClient(app.running.grpcAddress ?? '');
    await expect(health.check('')).resolves.toBe('SERVING');
    await expect(health.check('agentplatform.AgentService')).resolves.toBe('SERVING');
    await expect(health.check('nope')).rejects.toMatchObject({ code: GrpcStatus.NOT_FOUND });
    health.close();
  });

  it('announces its services through gRPC reflection (grpcurl list)', async () => {
    const services = await listServicesByReflection(app.running.grpcAddress ?? '');
    expect(services).toEqual(expect.arrayContaining(['agentplatform.AgentService', 'grpc.health.v1.Health']));
  });
});
