import { createServer } from 'node:net';
import { AgentServiceTestClient, collect } from '../utils/grpc-client';
import { http } from '../utils/http';
import { connectMcp } from '../utils/mcp-client';
import { RecordingAgentService } from '../utils/recording-agent-service';
import { tableCounts } from '../utils/table-counts';
import { useTestApp } from '../utils/use-test-app';

/** PROTOCOL §6 RegisterAgent: remote agents are persisted, listed, and their tasks forwarded field by field. */
describe('gRPC RegisterAgent and forwarding (e2e)', () => {
  const app = useTestApp(() => ({ GRPC_PORT: '0' }));
  let remote: RecordingAgentService;
  let client: AgentServiceTestClient;
  const connect = () => new AgentServiceTestClient(app.running.grpcAddress ?? 'gRPC is off');

  beforeAll(async () => {
    remote = await RecordingAgentService.start();
    client = connect();
  });
  afterAll(async () => {
    client.close();
    await remote.close();
  });

  const info = () => ({
    agent_id: 'translator',
    name: 'Translator',
    description: 'Translates text',
    capabilities: ['translate', 'detect_language'],
    endpoint: remote.address,
    detailed_description: 'Translates between 40 languages',
    how_it_works: 'Calls a translation model',
    return_format: 'plain text',
    use_cases: ['docs', 'ui strings'],
    version: '2.1.0',
  });

  it('registers a remote agent; ListAgents (with filter), GetStatus and GET /agents show it', async () => {
    const response = await client.register(info());
    expect(response).toEqual({ success: true, message: `Agent translator registered at ${remote.address}`, service_id: 'translator' });
    const listed = await client.list();
    expect(listed.agents.at(-1)).toEqual(info());
    expect((await client.list('detect_lang')).agents).toEqual([info()]);
    expect((await client.status('translator')).status).toBe('healthy');
    const rest = await http<{ agents: { type: string; name: string; allowed_tools: string[] }[]; total: number }>(app.running.baseUrl, 'GET', '/api/v1/agents');
    expect(rest.body.agents.at(-1)).toEqual({ type: 'translator', name: 'Translator', description: 'Translates text', allowed_tools: [] });
    expect(rest.body.total).toBe(6);
    const mcp = await connectMcp(app.running.baseUrl);
    expect((await mcp.listTools()).tools.map((t) => t.name)).toContain('translator');
    await mcp.close();
    expect((await client.register({ ...info(), version: '2.2.0' })).message).toBe(`Agent translator updated at ${remote.address}`);
    expect((await client.list('translator')).agents.map((a) => a.version)).toEqual(['2.2.0']);
  });

  it.each([
    ['a built-in agent id', { agent_id: 'coder' }, 'coder is a built-in agent'],
    ['the echo agent id', { agent_id: 'echo-agent' }, 'echo-agent is a built-in agent'],
    ['an empty agent id', { agent_id: '' }, 'agent_id must be'],
    ['an endpoint that is not host:port', { agent_id: 'x1', endpoint: 'http://somewhere' }, 'endpoint must be host:port'],
    ['a port out of range', { agent_id: 'x2', endpoint: 'localhost:70000' }, 'endpoint must be host:port'],
  ])('refuses %s', async (_label, fields, message) => {
    const before = await tableCounts(app.running.app);
    const response = await client.register({ ...info(), ...fields });
    expect(response.success).toBe(false);
    expect(response.message).toContain(message);
    expect(await tableCounts(app.running.app)).toEqual(before);
  });

  it('forwards ExecuteTask with every field (session_id included) and stores nothing here', async () => {
    remote.requests.length = 0;
    const before = await tableCounts(app.running.app);
    const request = {
      task_id: 'fw-1',
      agent_id: 'translator',
      input: 'bonjour',
      parameters: { to: 'en', tone: 'formal' },
      tool_ids: ['dictionary', 'glossary'],
      session_id: 'platform-session-7',
    };
    const response = await client.execute(request);
    expect(remote.requests).toEqual([request]);
    expect(response).toMatchObject({ task_id: 'fw-1', output: 'remote: bonjour', success: true, session_id: 'platform-session-7' });
    expect(response.metadata).toMatchObject({ agent: 'remote-impl', region: 'test', agent_id: 'translator', session_id: 'platform-session-7' });
    expect(await tableCounts(app.running.app)).toEqual(before);
    expect((await http(app.running.baseUrl, 'GET', '/api/v1/sessions/platform-session-7')).status).toBe(404);
  });

  it('forwards StreamTask; an empty task_id is filled in before forwarding', async () => {
    remote.requests.length = 0;
    const chunks = await collect(client.stream({ agent_id: 'translator', input: 'hola', session_id: 's-remote' }));
    const forwarded = remote.requests[0];
    expect(forwarded).toMatchObject({ agent_id: 'translator', input: 'hola', session_id: 's-remote' });
    expect(forwarded?.task_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(chunks).toEqual([
      { task_id: forwarded?.task_id, content: 'remote ', is_final: false, session_id: 's-remote' },
      { task_id: forwarded?.task_id, content: 'hola', is_final: false, session_id: 's-remote' },
      { task_id: forwarded?.task_id, content: '', is_final: true, session_id: 's-remote' },
    ]);
  });

  it('an unreachable remote agent is an answer naming it, with the session_id', async () => {
    const port = await closedPort();
    expect((await client.register({ ...info(), agent_id: 'gone', endpoint: `127.0.0.1:${port}` })).success).toBe(true);
    const response = await client.execute({ task_id: 'g', agent_id: 'gone', input: 'hi', session_id: 's-gone' });
    expect(response).toMatchObject({ task_id: 'g', success: false, output: '', session_id: 's-gone' });
    expect(response.error).toContain(`Remote agent gone at 127.0.0.1:${port} failed`);
    const chunks = await collect(client.stream({ task_id: 'g2', agent_id: 'gone', input: 'hi', session_id: 's-gone' }));
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toMatchObject({ task_id: 'g2', is_final: true, session_id: 's-gone' });
    expect(chunks[0]?.content).toContain('Error: Remote agent gone');
  });

  it('remote agents survive a restart on the same database and are still forwarded to', async () => {
    client.close();
    await app.restart();
    client = connect();
    const listed = (await client.list()).agents.filter((a) => a.agent_id === 'translator');
    expect(listed).toEqual([{ ...info(), version: '2.2.0' }]);
    remote.requests.length = 0;
    const response = await client.execute({ agent_id: 'translator', input: 'after restart', session_id: 'after' });
    expect(response).toMatchObject({ success: true, output: 'remote: after restart', session_id: 'after' });
    expect(remote.requests).toHaveLength(1);
  });
});

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
