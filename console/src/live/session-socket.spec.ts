import { ConnectionInfo, SessionSocket, SocketLike } from './session-socket';
import type { ServerFrame } from '../api/wire';

/** A socket the test drives by hand. */
class FakeSocket implements SocketLike {
  readyState = 0;
  onopen: SocketLike['onopen'] = null;
  onmessage: SocketLike['onmessage'] = null;
  onclose: SocketLike['onclose'] = null;
  onerror: SocketLike['onerror'] = null;
  readonly sent: string[] = [];
  constructor(readonly url: string) {}
  send(data: string): void {
    this.sent.push(data);
  }
  close(code = 1000, reason = ''): void {
    this.drop(code, reason);
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.({} as Event);
  }
  frame(frame: object): void {
    this.onmessage?.({ data: JSON.stringify(frame) } as MessageEvent);
  }
  drop(code = 1006, reason = ''): void {
    this.readyState = 3;
    this.onclose?.({ code, reason } as CloseEvent);
  }
}

function setUp() {
  const sockets: FakeSocket[] = [];
  const frames: ServerFrame[] = [];
  const infos: ConnectionInfo[] = [];
  const client = new SessionSocket({
    url: () => 'ws://h/api/v1/ws/s1?protocol=2',
    open: (url) => {
      const socket = new FakeSocket(url);
      sockets.push(socket);
      return socket;
    },
    onFrame: (f) => frames.push(f),
    onInfo: (i) => infos.push(i),
    retryDelaysMs: [0],
  });
  return { client, sockets, frames, infos, latest: () => sockets[sockets.length - 1] as FakeSocket };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));
const token = (seq: number, text: string) => ({ type: 'assistant_message', token: text, is_final: false, seq });

describe(SessionSocket.name, () => {
  it('connects without last_seq, takes it from status, and sends frames only while open', () => {
    const { client, latest, frames } = setUp();
    client.connect();
    expect(latest().url).toBe('ws://h/api/v1/ws/s1?protocol=2');
    expect(client.send({ type: 'cancel' })).toBe(false);
    latest().open();
    latest().frame({ type: 'status', session_id: 's1', state: 'idle', current_agent: 'coder', last_seq: 7, is_final: false });
    expect(client.connection).toMatchObject({ state: 'open', lastSeq: 7, resumedFrom: undefined });
    expect(client.send({ type: 'cancel' })).toBe(true);
    expect(latest().sent).toEqual(['{"type":"cancel"}']);
    expect(frames.map((f) => f.type)).toEqual(['status']);
  });

  it('reconnects after a drop with last_seq, counts the replayed frames and never passes a frame twice', async () => {
    const { client, sockets, latest, frames } = setUp();
    client.connect();
    latest().open();
    latest().frame({ type: 'status', session_id: 's1', state: 'running', current_agent: 'coder', last_seq: 2, is_final: false });
    latest().frame(token(3, 'a'));
    latest().drop();
    expect(client.connection.state).toBe('reconnecting');
    await tick();
    expect(sockets).toHaveLength(2);
    expect(latest().url).toBe('ws://h/api/v1/ws/s1?protocol=2&last_seq=3');
    latest().open();
    latest().frame({ type: 'status', session_id: 's1', state: 'idle', current_agent: 'coder', last_seq: 5, is_final: false });
    latest().frame(token(3, 'a'));
    latest().frame(token(4, 'b'));
    latest().frame({ type: 'assistant_message', content: 'ab', token: '', is_final: true, seq: 5 });
    expect(client.connection).toMatchObject({ state: 'open', lastSeq: 5, resumedFrom: 3, replayed: 2, attempt: 0 });
    expect(frames.filter((f) => f.type === 'assistant_message').map((f) => f.seq)).toEqual([3, 4, 5]);
  });

  it('believes the service when it never reached the last_seq the client had', async () => {
    const { client, latest } = setUp();
    client.connect();
    latest().open();
    latest().frame({ type: 'status', session_id: 's1', state: 'idle', current_agent: 'coder', last_seq: 9, is_final: false });
    latest().drop();
    await tick();
    latest().open();
    latest().frame({ type: 'status', session_id: 's1', state: 'idle', current_agent: 'coder', last_seq: 4, is_final: false });
    expect(client.connection.lastSeq).toBe(4);
    latest().frame(token(5, 'new'));
    expect(client.connection.lastSeq).toBe(5);
  });

  it('stops for good when the session is deleted (4404) or the console closes it', async () => {
    const deleted = setUp();
    deleted.client.connect();
    deleted.latest().open();
    deleted.latest().drop(4404, 'Session deleted');
    await tick();
    expect(deleted.sockets).toHaveLength(1);
    expect(deleted.client.connection).toMatchObject({ state: 'closed', closedReason: 'The session was deleted' });

    const closed = setUp();
    closed.client.connect();
    closed.latest().open();
    closed.client.close('left');
    await tick();
    expect(closed.sockets).toHaveLength(1);
    expect(closed.client.connection.state).toBe('closed');
  });

  it('ignores text that is not a frame it knows', () => {
    const { client, latest, frames } = setUp();
    client.connect();
    latest().open();
    latest().onmessage?.({ data: 'not json' } as MessageEvent);
    latest().frame({ type: 'something_new', seq: 99 });
    latest().frame({ type: 'assistant_message', token: 'x', is_final: false, seq: 'one' });
    expect(frames).toEqual([]);
    expect(client.connection.lastSeq).toBeUndefined();
  });
});
