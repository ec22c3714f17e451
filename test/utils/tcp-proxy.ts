import { createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a local port that a test can use to cut every open connection at once, as a
 * flaky network would (the client sees its WebSocket drop without a close frame).
 */
export class TcpProxy {
  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly open: Set<Socket>,
  ) {}

  static async start(targetPort: number): Promise<TcpProxy> {
    const sockets = new Set<Socket>();
    const server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return new TcpProxy(server, address.port, sockets);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Cuts every connection through the proxy (new ones still work). */
  dropAll(): number {
    const count = this.open.size;
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    return count;
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((done) => this.server.close(() => done()));
  }
}
