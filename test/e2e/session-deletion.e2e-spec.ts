import { useFakeModelApp } from '../utils/fake-model-app';
import { http } from '../utils/http';
import { Frame, TestSocket } from '../utils/ws-client';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';
const ALICE = { 'x-api-key': KEY_ALICE };
const BOB = { 'x-api-key': KEY_BOB };

interface History {
  messages: { role: string; content: string | null }[];
}

/**
 * Deleting a session (PROTOCOL §3, DELETE row): its sockets are closed with 4404, a running turn is
 * stopped, queued frames are dropped, and nothing of it (event log, live frames, temporary-id mapping)
 * ever reaches whoever creates a session with the same id afterwards.
 */
describe('Session deletion (e2e)', () => {
  const app = useFakeModelApp({ AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` });
  let counter = 0;
  const fresh = () => `deleted-${++counter}`;
  const call = <T = unknown>(method: string, path: string, who: Record<string, string>, body?: unknown) =>
    http<T>(app.running.baseUrl, method, path, body, who);
  const texts = (frames: readonly Frame[]) => frames.map((f) => JSON.stringify(f)).join('\n');

  it('closes the old owner’s sockets with 4404 and never replays or delivers the old frames to the next owner', async () => {
    const id = fresh();
    const alice = await app.open(`/api/v1/ws/${id}?protocol=2`, ALICE);
    const aliceCompat = await app.open(`/ws/${id}`, ALICE);
    expect(await alice.next()).toMatchObject({ type: 'status', last_seq: 0 });
    app.fake.enqueue({ kind: 'text', chunks: ['alice ', 'secret'] });
    const turn = await alice.request({ type: 'user_message', content: 'alice private words', agent_type: 'coder' });
    expect(turn.at(-1)).toMatchObject({ content: 'alice secret', is_final: true });

    expect((await call('DELETE', `/api/v1/sessions/${id}`, ALICE)).status).toBe(204);
    expect(await alice.waitClosed()).toBe(4404);
    expect(await aliceCompat.waitClosed()).toBe(4404);

    const stale = await app.open(`/api/v1/ws/${id}?protocol=2&last_seq=${turn.length}`, ALICE);
    expect(await stale.next()).toMatchObject({ type: 'status', last_seq: 0 });
    const bob = await app.open(`/api/v1/ws/${id}?protocol=2&last_seq=0`, BOB);
    expect(await bob.next()).toEqual({ type: 'status', state: 'idle', current_agent: 'orchestrator', last_seq: 0, is_final: false });
    await stale.close();
    app.fake.enqueue({ kind: 'text', chunks: ['bob ', 'answer'] });
    const bobTurn = await bob.request({ type: 'user_message', content: 'bob words', agent_type: 'ask' });
    expect(bobTurn.map((f) => f['seq'])).toEqual(bobTurn.map((_, i) => i + 1));
    expect(texts(bobTurn)).not.toContain('alice');
    const late = await app.open(`/api/v1/ws/${id}?protocol=2&last_seq=0`, BOB);
    expect(await late.next()).toMatchObject({ type: 'status', session_id: id, last_seq: bobTurn.length });
    expect(await late.reply()).toEqual(bobTurn);
    const history = await call<History>('GET', `/api/v1/sessions/${id}/history`, BOB);
    expect(history.body.messages.map((m) => m.content)).toEqual(['bob words', 'bob answer']);
  });

  it('stops a running turn and drops the frames queued behind it; the id starts from scratch', async () => {
    const id = fresh();
    const alice = await app.open(`/api/v1/ws/${id}?protocol=2`, ALICE);
    await alice.next();
    app.fake.enqueue({ kind: 'hang', chunks: ['half of it'] });
    alice.send({ type: 'user_message', content: 'a long one', agent_type: 'coder' });
    alice.send({ type: 'user_message', content: 'queued behind it' });
    const seen: Frame[] = [];
    while (!seen.some((f) => f.type === 'assistant_message')) seen.push(await alice.next());

    expect((await call('DELETE', `/api/v1/sessions/${id}`, ALICE)).status).toBe(204);
    expect(await alice.waitClosed()).toBe(4404);
    await app.fake.waitForClientAbort();
    // The queued message must not bring the session back.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await call('GET', `/api/v1/sessions/${id}`, ALICE)).status).toBe(404);
    expect(app.fake.requests).toHaveLength(1);

    const bob = await app.open(`/api/v1/ws/${id}?protocol=2&last_seq=0`, BOB);
    expect(await bob.next()).toMatchObject({ type: 'status', last_seq: 0 });
    app.fake.enqueue({ kind: 'text', chunks: ['fresh'] });
    const reply = await bob.request({ type: 'user_message', content: 'hello again', agent_type: 'ask' });
    expect(reply.map((f) => f['seq'])).toEqual(reply.map((_, i) => i + 1));
    expect(texts([...reply, ...bob.buffered])).not.toMatch(/half of it|queued behind it/);
    const history = await call<History>('GET', `/api/v1/sessions/${id}/history`, BOB);
    expect(history.body.messages.map((m) => m.content)).toEqual(['hello again', 'fresh']);
  });

  it('forgets which session a temporary id created', async () => {
    const socket = await app.open('/api/v1/ws/new_deleted_temp', ALICE);
    app.fake.enqueue({ kind: 'text', chunks: ['one'] });
    const first = await socket.request({ type: 'user_message', content: 'first', agent_type: 'ask' });
    const created = first[0]?.['session_id'];
    expect(typeof created).toBe('string');
    await socket.close();
    expect((await call('DELETE', `/api/v1/sessions/${String(created)}`, ALICE)).status).toBe(204);

    const again = await app.open('/api/v1/ws/new_deleted_temp', ALICE);
    app.fake.enqueue({ kind: 'text', chunks: ['two'] });
    const second = await again.request({ type: 'user_message', content: 'second', agent_type: 'ask' });
    expect(second[0]).toMatchObject({ type: 'session_info' });
    expect(second[0]?.['session_id']).not.toBe(created);
  });

  it('a deleted session answers 404 to the frames of a socket that reconnects to it', async () => {
    const id = fresh();
    const socket: TestSocket = await app.open(`/api/v1/ws/${id}`, ALICE);
    app.fake.enqueue({ kind: 'tool_calls', calls: [{ id: 'c1', name: 'read_file', arguments: '{"path":"a"}' }] });
    const reply = await socket.request({ type: 'user_message', content: 'read it', agent_type: 'coder' });
    const callId = reply.at(-1)?.['call_id'];
    expect((await call('DELETE', `/api/v1/sessions/${id}`, ALICE)).status).toBe(204);
    expect(await socket.waitClosed()).toBe(4404);
    const back = await app.open(`/api/v1/ws/${id}`, ALICE);
    expect(await back.request({ type: 'tool_result', call_id: callId, result: 'x' })).toEqual([
      { type: 'error', content: `Session ${id} not found`, error: `Session ${id} not found`, is_final: true },
    ]);
  });
});
