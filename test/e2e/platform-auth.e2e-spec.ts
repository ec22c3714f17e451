import { status as GrpcStatus } from '@grpc/grpc-js';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { AgentServiceTestClient, CallOptions, collect } from '../utils/grpc-client';
import { http } from '../utils/http';
import { signToken } from '../utils/jwks-server';
import { connectMcp } from '../utils/mcp-client';
import { tableCounts } from '../utils/table-counts';
import { useTestApp } from '../utils/use-test-app';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!';
const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';

/** gRPC (§6) and MCP (§7) authenticate like REST and keep sessions to their owners. */
describe('Agent platform authentication and ownership (e2e)', () => {
  const app = useTestApp(() => ({ GRPC_PORT: '0', AUTH_JWT_SECRET: SECRET, AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` }));
  let client: AgentServiceTestClient;
  const alice: CallOptions = { metadata: { 'x-api-key': KEY_ALICE } };
  const bob: CallOptions = { metadata: { 'x-api-key': KEY_BOB } };

  beforeAll(() => {
    client = new AgentServiceTestClient(app.running.grpcAddress ?? 'gRPC is off');
  });
  afterAll(() => client.close());

  describe('gRPC', () => {
    const calls: [string, (options: CallOptions) => Promise<unknown>][] = [
      ['ExecuteTask', (o) => client.execute({ agent_id: 'echo-agent', input: 'x' }, o)],
      ['StreamTask', (o) => collect(client.stream({ agent_id: 'echo-agent', input: 'x' }, o))],
      ['GetStatus', (o) => client.status('coder', o)],
      ['ListAgents', (o) => client.list('', o)],
      ['RegisterAgent', (o) => client.register({ agent_id: 'r', endpoint: '127.0.0.1:1' }, o)],
    ];

    it.each(calls)('%s without credentials fails with UNAUTHENTICATED', async (_name, call) => {
      await expect(call({})).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED, details: 'Authentication required: send Authorization: Bearer <token> or X-API-Key' });
    });

    it.each(calls)('%s with a wrong key or a bad token fails with UNAUTHENTICATED', async (_name, call) => {
      await expect(call({ metadata: { 'x-api-key': 'not-a-key-0123456789abcdef' } })).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
      await expect(call({ metadata: { authorization: 'Bearer not.a.jwt' } })).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
    });

    it('malformed credential metadata fails with UNAUTHENTICATED and a clear text; nothing is stored', async () => {
      const before = await tableCounts(app.running.app);
      const task = { agent_id: 'coder', input: 'x', session_id: 'malformed-md' };
      await expect(client.execute(task, { metadata: { authorization: 'Basic dXNlcjpwYXNz' } })).rejects.toMatchObject({
        code: GrpcStatus.UNAUTHENTICATED,
        details: 'Authentication required: send Authorization: Bearer <token> or X-API-Key',
      });
      await expect(client.execute(task, { metadata: { authorization: 'Bearer' } })).rejects.toMatchObject({ code: GrpcStatus.UNAUTHENTICATED });
      await expect(client.execute(task, { metadata: { 'x-api-key': [KEY_ALICE, KEY_BOB] } })).rejects.toMatchObject({
        code: GrpcStatus.UNAUTHENTICATED,
        details: 'Invalid API key',
      });
      expect(await tableCounts(app.running.app)).toEqual(before);
    });

    it('accepts x-api-key and a bearer JWT; the session belongs to the caller', async () => {
      const viaKey = await client.execute({ agent_id: 'coder', input: 'alice writes', session_id: 'alice-grpc' }, alice);
      expect(viaKey).toMatchObject({ success: true, session_id: 'alice-grpc' });
      const token = await signToken(new TextEncoder().encode(SECRET), { sub: 'alice' });
      const viaJwt = await client.execute({ agent_id: 'coder', input: 'alice again', session_id: 'alice-grpc' }, { metadata: { authorization: `Bearer ${token}` } });
      expect(viaJwt.success).toBe(true);
      const mine = await http<{ messages: unknown[] }>(app.running.baseUrl, 'GET', '/api/v1/sessions/alice-grpc/history', undefined, { 'x-api-key': KEY_ALICE });
      expect(mine.body.messages).toHaveLength(4);
      expect((await http(app.running.baseUrl, 'GET', '/api/v1/sessions/alice-grpc', undefined, { 'x-api-key': KEY_BOB })).status).toBe(404);
    });

    it("another user's session id fails like an unknown one, echoes the id and changes nothing", async () => {
      await client.execute({ agent_id: 'coder', input: 'private', session_id: 'alice-only' }, alice);
      const before = await tableCounts(app.running.app);
      const response = await client.execute({ task_id: 'b', agent_id: 'coder', input: 'let me in', session_id: 'alice-only' }, bob);
      expect(response).toMatchObject({ task_id: 'b', success: false, output: '', error: 'Session alice-only not found', session_id: 'alice-only' });
      const chunks = await collect(client.stream({ agent_id: 'ask', input: 'let me in', session_id: 'alice-only' }, bob));
      expect(chunks).toEqual([expect.objectContaining({ content: 'Error: Session alice-only not found', is_final: true, session_id: 'alice-only' })]);
      expect(await tableCounts(app.running.app)).toEqual(before);
    });
  });

  describe('MCP', () => {
    let mcp: Client | undefined;
    afterEach(async () => {
      await mcp?.close();
      mcp = undefined;
    });

    it('refuses a request without credentials with 401 before MCP sees it', async () => {
      const response = await fetch(`${app.running.baseUrl}/mcp`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer');
      await expect(connectMcp(app.running.baseUrl, { 'x-api-key': 'not-a-key-0123456789abcdef' })).rejects.toThrow();
    });

    it("works with a key; session://{id}/history and session turns are the caller's own", async () => {
      mcp = await connectMcp(app.running.baseUrl, { 'x-api-key': KEY_ALICE });
      const ok = await mcp.callTool({ name: 'ask', arguments: { input: 'what is a monad', session_id: 'alice-mcp' } });
      expect(ok.isError).toBeFalsy();
      expect((await mcp.readResource({ uri: 'session://alice-mcp/history' })).contents).toHaveLength(1);
      await mcp.close();

      mcp = await connectMcp(app.running.baseUrl, { 'x-api-key': KEY_BOB });
      await expect(mcp.readResource({ uri: 'session://alice-mcp/history' })).rejects.toMatchObject({ code: -32002 });
      const refused = await mcp.callTool({ name: 'ask', arguments: { input: 'me too', session_id: 'alice-mcp' } });
      expect(refused).toMatchObject({ isError: true, content: [{ type: 'text', text: 'Session alice-mcp not found' }] });
    });
  });
});
