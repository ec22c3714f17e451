import type { IncomingMessage, Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { INestApplicationContext, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { WebSocket, WebSocketServer } from 'ws';
import { parseWsTarget } from './ws-target';

export const FRAME_EVENT = 'frame';

/**
 * Nest's WsAdapter matches a gateway's path exactly; our sockets live at `/ws/{id}` and
 * `/api/v1/ws/{id}`. This adapter owns the HTTP upgrade: it refuses a bad id with 400 and an unknown
 * path with 404 before any socket exists, enforces the frame size limit (close 1009), and hands every
 * text frame to the gateway's single `frame` handler, which parses and validates it itself (so bad
 * JSON gets an answer instead of being dropped).
 */
export class AgentWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger(AgentWsAdapter.name);
  constructor(
    app: INestApplicationContext,
    private readonly maxFrameBytes: number,
  ) {
    super(app, {
      messageParser: (data) => ({ event: FRAME_EVENT, data: toText(data) }),
    });
  }

  override create(): WebSocketServer {
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.maxFrameBytes, perMessageDeflate: false });
    const httpServer = this.httpServer as HttpServer;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const result = parseWsTarget(request.url);
      if (!result.ok) {
        refuse(socket, result.status, result.message);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
    });
    return this.bindErrorHandler(wss) as WebSocketServer;
  }

  /** A client's protocol error (e.g. an oversized frame, closed with 1009) is its problem: one line, no stack. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (ws: WebSocket) =>
      ws.on('error', (err: Error) => this.socketLogger.warn(`socket closed after a protocol error: ${err.message}`)),
    );
    server.on('error', (err: Error) => this.socketLogger.error(`WebSocket server error: ${err.message}`));
    return server;
  }
}

function toText(data: string | Buffer | ArrayBuffer | Buffer[]): string {
  if (typeof data === 'string') return data;
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

function refuse(socket: Duplex, status: 400 | 404, message: string): void {
  const body = JSON.stringify({ statusCode: status, message, error: status === 400 ? 'Bad Request' : 'Not Found' });
  socket.end(
    `HTTP/1.1 ${status} ${status === 400 ? 'Bad Request' : 'Not Found'}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}
