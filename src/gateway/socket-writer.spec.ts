import { createServer, Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { wsMessageText } from '../protocol/ws-text';
import { sendText } from './socket-writer';

describe(sendText.name, () => {
  let server: Server;
  let wss: WebSocketServer;
  let client: WebSocket;
  let serverSide: WebSocket;

  beforeEach(async () => {
    server = createServer();
    wss = new WebSocketServer({ server, perMessageDeflate: false });
    const connected = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`, { perMessageDeflate: false });
    serverSide = await connected;
    await new Promise((resolve) => client.once('open', resolve));
  });

  afterEach(async () => {
    client.terminate();
    wss.close();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Counts the writes that reach the TCP socket's underlying handle. */
  function countWrites(ws: WebSocket): () => number {
    type Writer = (this: Socket, ...args: unknown[]) => unknown;
    const raw = (ws as unknown as { _socket: Socket & { _write: Writer; _writev: Writer } })._socket;
    let writes = 0;
    for (const method of ['_write', '_writev'] as const) {
      const original = raw[method].bind(raw);
      raw[method] = (...args: unknown[]) => {
        writes += 1;
        return original(...args);
      };
    }
    return () => writes;
  }

  /** The texts of the next `count` messages the client receives. */
  function receive(count: number): Promise<string[]> {
    const received: string[] = [];
    return new Promise((resolve) =>
      client.on('message', (data) => {
        received.push(wsMessageText(data));
        if (received.length === count) resolve(received);
      }),
    );
  }

  it('sends the frames of one tick in one write, in order', async () => {
    const writes = countWrites(serverSide);
    const all = receive(20);
    for (let i = 0; i < 20; i++) sendText(serverSide, `frame ${i}`);
    expect(await all).toEqual(Array.from({ length: 20 }, (_, i) => `frame ${i}`));
    expect(writes()).toBe(1);
  });

  it('frames of later ticks get their own write', async () => {
    const writes = countWrites(serverSide);
    const both = receive(2);
    sendText(serverSide, 'first');
    await new Promise((resolve) => setImmediate(resolve));
    sendText(serverSide, 'second');
    expect(await both).toEqual(['first', 'second']);
    expect(writes()).toBe(2);
  });

  it('drops frames for a socket that is no longer open', async () => {
    serverSide.close();
    await new Promise((resolve) => client.once('close', resolve));
    expect(() => sendText(serverSide, 'late')).not.toThrow();
  });
});
