import { McpError } from '@modelcontextprotocol/sdk/types.js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { http } from '../utils/http';
import { connectMcp } from '../utils/mcp-client';
import { tableCounts } from '../utils/table-counts';
import { useTestApp } from '../utils/use-test-app';

const INPUT_SCHEMA = {
  type: 'object',
  properties: {
    input: { type: 'string' },
    parameters: { type: 'object', additionalProperties: { type: 'string' } },
    session_id: { type: 'string' },
  },
  required: ['input'],
};

/** PROTOCOL §7 with the official MCP SDK client over Streamable HTTP and the offline echo model. */
describe('MCP server at /mcp (e2e)', () => {
  const app = useTestApp(() => ({ MAX_MESSAGE_CHARS: '500' }));
  let client: Client;
  let counter = 0;
  const fresh = () => `mcp-${++counter}`;

  beforeAll(async () => {
    client = await connectMcp(app.running.baseUrl);
  });
  afterAll(async () => {
    await client.close();
  });

  it('initializes with the service name, tools and resources, and no MCP session id (stateless)', async () => {
    expect(client.getServerVersion()).toMatchObject({ name: 'codelab-agent-service' });
    expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} });
    const raw = await fetch(`${app.running.baseUrl}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2025-03-26', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      }),
    });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('mcp-session-id')).toBeNull();
    expect(await raw.text()).toContain('"protocolVersion":"2025-03-26"');
    expect((await fetch(`${app.running.baseUrl}/mcp`)).status).toBe(405);
    expect((await fetch(`${app.running.baseUrl}/mcp`, { method: 'DELETE' })).status).toBe(405);
  });

  it('stays out of the REST API document (Swagger is unchanged)', async () => {
    const doc = await http<{ paths: Record<string, unknown> }>(app.running.baseUrl, 'GET', '/api/docs-json');
    expect(doc.body.paths['/api/v1/sessions']).toBeDefined();
    expect(Object.keys(doc.body.paths).filter((p) => p.includes('mcp'))).toEqual([]);
  });

  it('lists one tool per agent, echo-agent included, each with the exact input schema', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(['orchestrator', 'coder', 'architect', 'debug', 'ask', 'echo-agent']);
    for (const tool of tools) {
      expect(tool.inputSchema).toEqual(INPUT_SCHEMA);
      expect(tool.description).toBeTruthy();
    }
  });

  it('a call without session_id is stateless: text and structuredContent, nothing stored', async () => {
    const before = await tableCounts(app.running.app);
    const result = await client.callTool({ name: 'orchestrator', arguments: { input: 'explain promises' } });
    expect(result.isError).toBeFalsy();
    expect(result.content).toEqual([{ type: 'text', text: 'You said: explain promises' }]);
    const { task_id: taskId, ...structured } = (result.structuredContent ?? {}) as Record<string, unknown>;
    expect(structured).toEqual({ output: 'You said: explain promises', agent: 'ask' });
    expect(taskId).toMatch(/^[0-9a-f-]{36}$/);
    const echo = await client.callTool({ name: 'echo-agent', arguments: { input: 'ping', parameters: { a: '1' } } });
    expect(echo.content).toEqual([{ type: 'text', text: 'Echo Agent Response: ping | Parameters: a=1' }]);
    expect(await tableCounts(app.running.app)).toEqual(before);
  });

  it('a call with session_id is a turn of that session, readable as session://{id}/history', async () => {
    const id = fresh();
    const first = await client.callTool({ name: 'coder', arguments: { input: 'write a parser', session_id: id } });
    expect(first.structuredContent).toMatchObject({ output: 'You said: write a parser', agent: 'coder', session_id: id });
    await client.callTool({ name: 'coder', arguments: { input: 'now test it', session_id: id } });
    const rest = await http<{ messages: unknown[] }>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`);
    expect(rest.body.messages).toHaveLength(4);

    const resource = await client.readResource({ uri: `session://${id}/history` });
    const [content] = resource.contents;
    expect(content).toMatchObject({ uri: `session://${id}/history`, mimeType: 'application/json' });
    expect(JSON.parse(String(content && 'text' in content ? content.text : ''))).toEqual(rest.body);
  });

  it('failures are results with isError:true and the reason; nothing is stored', async () => {
    const before = await tableCounts(app.running.app);
    const cases: [string, Record<string, unknown>, string][] = [
      ['nobody', { input: 'x' }, 'Unknown agent: nobody'],
      ['coder', { input: '' }, 'input must not be empty'],
      ['coder', { input: 'y'.repeat(501), session_id: fresh() }, 'input is longer than 500 characters'],
      ['coder', { input: 'x', parameters: { n: 1 } }, 'parameters.n must be a string'],
      ['coder', { input: 'x', session_id: 'new_1' }, 'temporary'],
    ];
    for (const [name, args, reason] of cases) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError).toBe(true);
      const [first, ...rest] = result.content as { type: string; text: string }[];
      expect(rest).toEqual([]);
      expect(first?.type).toBe('text');
      expect(first?.text).toContain(reason);
    }
    expect(await tableCounts(app.running.app)).toEqual(before);
  });

  it('reads agent://{id} resources and lists them with the templates', async () => {
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toContain('agent://architect');
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate)).toEqual(['agent://{id}', 'session://{id}/history']);
    const read = await client.readResource({ uri: 'agent://architect' });
    const [content] = read.contents;
    const agent = JSON.parse(String(content && 'text' in content ? content.text : '')) as Record<string, unknown>;
    expect(agent).toMatchObject({ agent_id: 'architect', name: 'Architect Agent', capabilities: ['read_file', 'list_files', 'search_in_code', 'write_file'] });
  });

  it('an unknown resource is an MCP error (resource not found)', async () => {
    for (const uri of ['agent://ghost', 'session://never-made/history', 'file:///etc/passwd']) {
      const error = await client.readResource({ uri }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(McpError);
      expect(error).toMatchObject({ code: -32002 });
    }
  });
});
