import { status as GrpcStatus } from '@grpc/grpc-js';
import type { TaskChunkMessage } from '../../src/platform/grpc/agent-platform.messages';
import { useFakeModelApp } from '../utils/fake-model-app';
import { AgentServiceTestClient, collect } from '../utils/grpc-client';
import { http } from '../utils/http';
import { tableCounts } from '../utils/table-counts';
import { waitUntil } from '../utils/wait-until';

interface History {
  messages: { role: string; content: string | null }[];
}

/** PROTOCOL §6 against a real streaming model (the fake OpenAI server): tools, cancel, deadlines, failures. */
describe('gRPC AgentService with a streaming model (e2e)', () => {
  const app = useFakeModelApp({ GRPC_PORT: '0' });
  let client: AgentServiceTestClient;
  let counter = 0;
  const fresh = () => `grpc-model-${++counter}`;
  const messages = async (id: string) =>
    (await http<History>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body.messages ?? [];

  beforeAll(() => {
    client = new AgentServiceTestClient(app.running.grpcAddress ?? 'gRPC is off');
  });
  afterAll(() => client.close());

  it('offers the model no tools in a gRPC turn (an IDE turn of the same session does)', async () => {
    const id = fresh();
    const ide = await app.open(`/api/v1/ws/${id}`);
    await ide.request({ type: 'user_message', content: 'from the IDE', agent_type: 'coder' });
    expect(app.fake.requests.at(-1)?.body).toHaveProperty('tools');

    const response = await client.execute({ agent_id: 'coder', input: 'from gRPC', session_id: id });
    expect(response).toMatchObject({ success: true, output: 'You said: from gRPC' });
    expect(app.fake.requests.at(-1)?.body).not.toHaveProperty('tools');
    await client.execute({ agent_id: 'coder', input: 'stateless' });
    expect(app.fake.requests.at(-1)?.body).not.toHaveProperty('tools');
  });

  it('a model failure is an answer with success:false and the session_id, also streamed', async () => {
    const id = fresh();
    app.fake.enqueue({ kind: 'error', status: 400, message: 'bad request to the model' });
    const response = await client.execute({ task_id: 'mf', agent_id: 'coder', input: 'hello', session_id: id });
    expect(response).toMatchObject({ task_id: 'mf', success: false, output: '', session_id: id });
    expect(response.error).not.toBe('');

    app.fake.enqueue({ kind: 'error', status: 400, message: 'bad request to the model' });
    const chunks = await collect(client.stream({ task_id: 'mf2', agent_id: 'ask', input: 'hello' }));
    expect(chunks).toEqual([{ task_id: 'mf2', content: `Error: ${response.error}`, is_final: true, session_id: '' }]);
  });

  it('a client that cancels StreamTask stops the turn; the partial answer is stored and the sockets see "cancelled"', async () => {
    const id = fresh();
    const watcher = await app.open(`/api/v1/ws/${id}?protocol=2`);
    await watcher.next();
    app.fake.enqueue({ kind: 'hang', chunks: ['partial ', 'answer'] });
    const call = client.stream({ agent_id: 'coder', input: 'write a long essay', session_id: id });
    const received: TaskChunkMessage[] = [];
    const ended = new Promise<unknown>((resolve) => call.on('error', resolve));
    call.on('data', (chunk: TaskChunkMessage) => {
      received.push(chunk);
      if (received.length === 2) call.cancel();
    });
    expect(await ended).toMatchObject({ code: GrpcStatus.CANCELLED });
    expect(received.map((c) => c.content)).toEqual(['partial ', 'answer']);
    expect(received.every((c) => c.session_id === id && !c.is_final)).toBe(true);
    await app.fake.waitForClientAbort();

    await waitUntil(async () => (await messages(id)).length === 2);
    expect(await messages(id)).toEqual([
      { role: 'user', content: 'write a long essay' },
      { role: 'assistant', content: 'partial answer' },
    ]);
    let frame = await watcher.next();
    while (frame.type !== 'cancelled') frame = await watcher.next();
    expect(frame).toMatchObject({ type: 'cancelled', content: 'partial answer', is_final: true });

    const next = await client.execute({ agent_id: 'coder', input: 'are you still there', session_id: id });
    expect(next.success).toBe(true);
  });

  it('a passed deadline stops an ExecuteTask turn like a cancel; active_tasks counts it while it runs', async () => {
    const id = fresh();
    app.fake.enqueue({ kind: 'hang', chunks: ['half ', 'done'] });
    const call = client.execute({ agent_id: 'debug', input: 'investigate slowly', session_id: id }, { deadlineMs: 1500 });
    await app.fake.waitForRequests(1);
    await waitUntil(async () => (await client.status('debug')).active_tasks === 1);
    await expect(call).rejects.toMatchObject({ code: GrpcStatus.DEADLINE_EXCEEDED });
    await app.fake.waitForClientAbort();
    await waitUntil(async () => (await messages(id)).length === 2);
    expect((await messages(id))[1]).toEqual({ role: 'assistant', content: 'half done' });
    await waitUntil(async () => (await client.status('debug')).active_tasks === 0);
  });

  it('cancelling a stateless task aborts the model request and stores nothing', async () => {
    const before = await tableCounts(app.running.app);
    app.fake.enqueue({ kind: 'hang', chunks: ['some'] });
    const call = client.stream({ agent_id: 'ask', input: 'tell me everything' });
    const first = new Promise<void>((resolve) => call.once('data', () => resolve()));
    call.on('error', () => undefined);
    await first;
    call.cancel();
    await app.fake.waitForClientAbort();
    expect(await tableCounts(app.running.app)).toEqual(before);
  });
});
