import { useFakeModelApp } from '../utils/fake-model-app';
import { http } from '../utils/http';
import { Frame } from '../utils/ws-client';

interface History {
  messages: { role: string; content: string | null }[];
}

/** Protocol 2 (`?protocol=2`): seq, status, token streaming, resume, many sockets, cancel, queueing. */
describe('Protocol 2 (e2e)', () => {
  const app = useFakeModelApp();
  let counter = 0;
  const open = (path: string) => app.open(path);
  const fresh = () => `p2-${++counter}`;
  const history = async (id: string) => (await http<History>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body;
  const seqs = (frames: Frame[]) => frames.map((f) => f['seq'] as number);
  const expectConsecutive = (frames: Frame[], from: number) =>
    expect(seqs(frames)).toEqual(frames.map((_, i) => from + i));
  const text = (frames: Frame[]) =>
    frames.filter((f) => f.type === 'assistant_message' && f['is_final'] === false).map((f) => String(f['token'])).join('');


  it('greets with status; deltas add up to the final text; seq grows by one across turns', async () => {
    const temp = await open('/api/v1/ws/new_p2_status?protocol=2');
    expect(await temp.next()).toEqual({ type: 'status', state: 'idle', current_agent: 'orchestrator', last_seq: 0, is_final: false });

    const id = fresh();
    const socket = await open(`/api/v1/ws/${id}?protocol=2`);
    expect(await socket.next()).toMatchObject({ type: 'status', state: 'idle', last_seq: 0 });
    app.fake.enqueue({ kind: 'text', chunks: ['Hello', ', ', 'world', '!'] });
    const first = await socket.request({ type: 'user_message', content: 'greet me', agent_type: 'coder' });
    expect(first.map((f) => f.type)).toEqual([
      'agent_switched',
      'assistant_message',
      'assistant_message',
      'assistant_message',
      'assistant_message',
      'assistant_message',
    ]);
    expect(first.slice(1, -1).every((f) => f['is_final'] === false && f['content'] === undefined)).toBe(true);
    expect(text(first)).toBe('Hello, world!');
    expect(first.at(-1)).toMatchObject({ type: 'assistant_message', content: 'Hello, world!', token: '', is_final: true });
    expectConsecutive(first, 1);
    app.fake.enqueue({ kind: 'text', chunks: ['Again.'] });
    const second = await socket.request({ type: 'user_message', content: 'again' });
    expectConsecutive(second, 7);
    const status = await open(`/api/v1/ws/${id}?protocol=2`);
    expect(await status.next()).toEqual({
      type: 'status',
      session_id: id,
      state: 'idle',
      current_agent: 'coder',
      last_seq: 8,
      is_final: false,
    });
  });

  it('a socket killed mid-turn resumes with last_seq: exactly the missed frames, and the turn is stored', async () => {
    const id = fresh();
    const chunks = Array.from({ length: 20 }, (_, i) => `w${i} `);
    app.fake.enqueue({ kind: 'text', chunks, chunkDelayMs: 25 });
    const socket = await open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    socket.send({ type: 'user_message', content: 'long answer please', agent_type: 'coder' });
    const seen: Frame[] = [];
    while (seen.filter((f) => f.type === 'assistant_message').length < 4) seen.push(await socket.next());
    socket.ws.terminate();
    const lastSeen = seen.at(-1)?.['seq'] as number;

    const again = await open(`/api/v1/ws/${id}?protocol=2&last_seq=${lastSeen}`);
    const status = await again.next();
    expect(status).toMatchObject({ type: 'status', session_id: id });
    const rest = await again.reply(10_000);
    const all = [...seen, ...rest];
    expectConsecutive(all, 1);
    expect(text(all)).toBe(chunks.join(''));
    expect(all.at(-1)).toMatchObject({ content: chunks.join(''), is_final: true });
    expect((await history(id)).messages.at(-1)).toEqual({ role: 'assistant', content: chunks.join('') });
  });

  it('a socket that reconnects after the turn finished gets the missed frames, also after a restart', async () => {
    const id = fresh();
    const socket = await open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    app.fake.enqueue({ kind: 'text', chunks: ['one ', 'two'] });
    const turn = await socket.request({ type: 'user_message', content: 'first turn', agent_type: 'ask' });
    await socket.close();
    await app.restart();

    const resumed = await open(`/api/v1/ws/${id}?protocol=2&last_seq=1`);
    expect(await resumed.next()).toMatchObject({ type: 'status', last_seq: turn.length, current_agent: 'ask' });
    const replay = await resumed.reply();
    expect(replay).toEqual(turn.slice(1));
    app.fake.enqueue({ kind: 'text', chunks: ['three'] });
    const next = await resumed.request({ type: 'user_message', content: 'second turn' });
    expectConsecutive(next, turn.length + 1);
  });

  it('every protocol-2 socket of a session sees identical frames; compat sockets see none of them', async () => {
    const id = fresh();
    const a = await open(`/api/v1/ws/${id}?protocol=2`);
    const b = await open(`/ws/${id}?protocol=2`);
    const compat = await open(`/api/v1/ws/${id}`);
    await a.next();
    await b.next();
    app.fake.enqueue({ kind: 'text', chunks: ['shared ', 'answer'] });
    const fromA = await a.request({ type: 'user_message', content: 'from a', agent_type: 'coder' });
    const atB = await b.reply();
    expect(atB).toEqual(fromA);
    app.fake.enqueue({ kind: 'text', chunks: ['compat ', 'answer'] });
    const compatReply = await compat.request({ type: 'user_message', content: 'from compat' });
    expect(compatReply).toEqual([{ type: 'assistant_message', content: 'compat answer', token: 'compat answer', is_final: true }]);
    const seenByA = await a.reply();
    expect(seenByA.map((f) => f.type)).toEqual(['assistant_message', 'assistant_message', 'assistant_message']);
    expect(compat.buffered).toHaveLength(0);
  });

  it('cancel aborts the model request, ends the turn with cancelled and stores the partial text', async () => {
    const id = fresh();
    const socket = await open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    expect(await socket.request({ type: 'cancel' })).toEqual([
      { type: 'error', content: 'Nothing is running to cancel', error: 'Nothing is running to cancel', is_final: true },
    ]);
    app.fake.enqueue({ kind: 'hang', chunks: ['partial ', 'answer'] });
    socket.send({ type: 'user_message', content: 'start something long', agent_type: 'coder' });
    const frames: Frame[] = [];
    while (text(frames) !== 'partial answer') frames.push(await socket.next());
    socket.send({ type: 'cancel' });
    const end = await socket.reply();
    expect(end.at(-1)).toMatchObject({ type: 'cancelled', content: 'partial answer', is_final: true });
    await app.fake.waitForClientAbort();
    expect((await history(id)).messages.at(-1)).toEqual({ role: 'assistant', content: 'partial answer' });
    app.fake.enqueue({ kind: 'text', chunks: ['fine'] });
    const after = await socket.request({ type: 'user_message', content: 'and now?' });
    expect(after.at(-1)).toMatchObject({ content: 'fine' });
  });

  it('messages sent while a turn runs are queued and answered in order', async () => {
    const id = fresh();
    const socket = await open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    app.fake.enqueue(
      { kind: 'text', chunks: ['A1 ', 'A2'], chunkDelayMs: 30 },
      { kind: 'text', chunks: ['B'] },
      { kind: 'text', chunks: ['C'] },
    );
    socket.send({ type: 'user_message', content: 'first', agent_type: 'coder' });
    socket.send({ type: 'user_message', content: 'second' });
    socket.send({ type: 'user_message', content: 'third' });
    const finals: string[] = [];
    while (finals.length < 3) {
      const frame = await socket.next();
      if (frame['is_final'] === true) finals.push(String(frame['content']));
    }
    expect(finals).toEqual(['A1 A2', 'B', 'C']);
    expect((await history(id)).messages.map((m) => m.content)).toEqual(['first', 'A1 A2', 'second', 'B', 'third', 'C']);
  });

  it('a temporary id announces session_info in the stream, and a reconnect within 10 minutes resumes it', async () => {
    const socket = await open('/api/v1/ws/new_p2_temp?protocol=2');
    await socket.next();
    app.fake.enqueue({ kind: 'text', chunks: ['hi'] });
    const reply = await socket.request({ type: 'user_message', content: 'hello', agent_type: 'coder' });
    expect(reply[0]).toMatchObject({ type: 'session_info', seq: 1, is_final: false });
    const id = reply[0]?.['session_id'];
    socket.ws.terminate();
    const again = await open('/api/v1/ws/new_p2_temp?protocol=2&last_seq=0');
    expect(await again.next()).toMatchObject({ type: 'status', session_id: id });
    expect(await again.next()).toEqual({ type: 'session_info', session_id: id, is_final: false });
    expect(await again.reply()).toEqual(reply);
  });
});
