import { AgentRuntimeService } from '../../src/agent-runtime/agent-runtime.service';
import { SESSION_EVENT_LOG, SessionEventLog } from '../../src/agent-runtime/events/session-event-log';
import { useFakeModelApp } from '../utils/fake-model-app';
import { http } from '../utils/http';
import { Frame, TestSocket } from '../utils/ws-client';

interface History {
  messages: { role: string; content: string | null }[];
}

const finals = async (socket: TestSocket, count: number): Promise<Frame[]> => {
  const out: Frame[] = [];
  while (out.length < count) {
    const frame = await socket.next(10_000);
    if (frame['is_final'] === true) out.push(frame);
  }
  return out;
};

/** The runtime's failure paths: cancel at every moment, a failing greeting, a failing event log. */
describe('Runtime failure paths (e2e)', () => {
  const app = useFakeModelApp();
  let counter = 0;
  const fresh = () => `failure-${++counter}`;
  const history = async (id: string) => (await http<History>(app.running.baseUrl, 'GET', `/api/v1/sessions/${id}/history`)).body;

  it('cancel right after a message (before its turn started) stops it; it never answers "Nothing is running"', async () => {
    const id = fresh();
    const socket = await app.open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    app.fake.enqueue({ kind: 'hang', chunks: ['never'] });
    socket.send({ type: 'user_message', content: 'start', agent_type: 'coder' });
    socket.send({ type: 'cancel' });
    const reply = await socket.reply(10_000);
    expect(reply.at(-1)).toMatchObject({ type: 'cancelled', is_final: true });
    expect(reply.filter((f) => f.type === 'error')).toEqual([]);
    const status = await app.open(`/api/v1/ws/${id}?protocol=2`);
    expect(await status.next()).toMatchObject({ type: 'status', state: 'idle' });
    app.fake.reset(); // the scripted hang was never asked for
    app.fake.enqueue({ kind: 'text', chunks: ['works'] });
    expect((await socket.request({ type: 'user_message', content: 'again', agent_type: 'coder' })).at(-1)).toMatchObject({ content: 'works' });
  });

  it('cancel also drops the frames queued behind the running turn: each gets cancelled, none is stored', async () => {
    const id = fresh();
    const socket = await app.open(`/api/v1/ws/${id}?protocol=2`);
    await socket.next();
    app.fake.enqueue({ kind: 'hang', chunks: ['partial'] });
    socket.send({ type: 'user_message', content: 'first', agent_type: 'coder' });
    while ((await socket.next()).type !== 'assistant_message');
    socket.send({ type: 'user_message', content: 'second' });
    socket.send({ type: 'switch_agent', agent_type: 'ask' });
    socket.send({ type: 'cancel' });
    const ends = await finals(socket, 3);
    expect(ends.map((f) => [f.type, f['content']])).toEqual([
      ['cancelled', 'partial'],
      ['cancelled', ''],
      ['cancelled', ''],
    ]);
    expect((await history(id)).messages).toEqual([
      { role: 'user', content: 'first' },
      { role: 'assistant', content: 'partial' },
    ]);
    expect(app.fake.requests).toHaveLength(1);
  });

  it('a protocol-2 socket whose greeting fails gets an error and is closed with 1011', async () => {
    const runtime = app.running.app.get(AgentRuntimeService);
    const status = jest.spyOn(runtime, 'status').mockRejectedValueOnce(new Error('database unavailable'));
    try {
      const socket = await app.open(`/api/v1/ws/${fresh()}?protocol=2`);
      expect(await socket.next()).toMatchObject({ type: 'error', content: 'Could not load the session state; reconnect to try again' });
      expect(await socket.waitClosed()).toBe(1011);
    } finally {
      status.mockRestore();
    }
  });

  it('an event log that refuses frames ends the reply with an error, leaves no unhandled rejection, and the socket goes on', async () => {
    const log = app.running.app.get<SessionEventLog>(SESSION_EVENT_LOG);
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown): void => void rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    const append = jest.spyOn(log, 'append').mockImplementation(() => {
      throw new Error('event log for session x was not prepared');
    });
    try {
      const socket = await app.open(`/ws/${fresh()}`);
      const reply = await socket.request({ type: 'user_message', content: 'hello', agent_type: 'coder' });
      expect(reply).toHaveLength(1);
      expect(reply[0]).toMatchObject({ type: 'error', is_final: true });
      expect(String(reply[0]?.['content'])).toMatch(/^Internal error \(correlation_id=/);
      append.mockRestore();
      app.fake.enqueue({ kind: 'text', chunks: ['fine'] });
      expect(await socket.request({ type: 'user_message', content: 'again' })).toEqual([
        { type: 'assistant_message', content: 'fine', token: 'fine', is_final: true },
      ]);
      await new Promise((resolve) => setImmediate(resolve));
      expect(rejections).toEqual([]);
    } finally {
      append.mockRestore();
      process.off('unhandledRejection', onRejection);
    }
  });
});

describe('Rate limits keep the reply order (e2e)', () => {
  const app = useFakeModelApp({ RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '2' });

  it('protocol 1: a rate-limit error comes after the replies to the frames sent before it', async () => {
    const socket = await app.open('/ws/rate-order');
    app.fake.enqueue({ kind: 'text', chunks: ['one ', 'slow'], chunkDelayMs: 100 }, { kind: 'text', chunks: ['two'] });
    socket.send({ type: 'user_message', content: 'first', agent_type: 'coder' });
    socket.send({ type: 'user_message', content: 'second' });
    socket.send({ type: 'user_message', content: 'third' });
    const replies = [await socket.reply(), await socket.reply(), await socket.reply()];
    expect(replies.map((r) => [r.at(-1)?.type, r.at(-1)?.['content']])).toEqual([
      ['assistant_message', 'one slow'],
      ['assistant_message', 'two'],
      ['error', expect.stringMatching(/^Rate limit exceeded/)],
    ]);
  });
});
