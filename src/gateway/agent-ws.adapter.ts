import { STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { INestApplication, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets/gateway-metadata-explorer';
import { WebSocketServer } from 'ws';
import type { LifecycleConfig } from '../config/app-config';
import { AgentSocket, FRAME_EVENT, FrameHandler, onSocketClose, onSocketError, onSocketMessage, onSocketPong } from './agent-socket';
import { UpgradeContext, UpgradeGate } from './upgrade-gate.service';

export { FRAME_EVENT };

/** What the gate decided for an upgrade request, read by the gateway on connection. */
export const upgradeContexts = new WeakMap<IncomingMessage, UpgradeContext>();

/**
 * Nest's WsAdapter matches a gateway's path exactly; our sockets live at `/ws/{id}` and
 * `/api/v1/ws/{id}`. This adapter owns the HTTP upgrade: the UpgradeGate refuses bad ids, missing
 * credentials, other users' sessions and too many sockets with an HTTP status before any socket exists.
 * It enforces the frame size limit (close 1009), pings every socket (dead peers are dropped), closes
 * idle ones, says 1001 on shutdown, and hands every text frame to the gateway's single `frame` handler,
 * which parses and validates it itself (so bad JSON gets an answer instead of being dropped).
 * Per socket it keeps only an {@link AgentSocket} and shared listeners.
 */
export class AgentWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger(AgentWsAdapter.name);
  private readonly timers: NodeJS.Timeout[] = [];
  /** Looked up once: Nest's `app.get` searches the module graph on every call. */
  private gate: UpgradeGate | undefined;

  constructor(
    private readonly app: INestApplication,
    private readonly maxFrameBytes: number,
    private readonly lifecycle: LifecycleConfig,
  ) {
    super(app);
  }

  /**
   * Every text frame goes to the gateway's `frame` handler (through Nest's pipes and filters); the
   * frames of its reply go out in order. Plain shared listeners instead of Nest's per-client rxjs
   * pipeline: an idle socket keeps only its bound handler, and a reply still stops when its socket closes.
   */
  override bindMessageHandlers(client: AgentSocket, handlers: MessageMappingProperties[]): void {
    const handler = handlers.find((h) => h.message === FRAME_EVENT);
    if (!handler) return;
    client.frameHandler = handler.callback as FrameHandler;
    client.on('message', onSocketMessage);
    client.on('close', onSocketClose);
  }

  override create(): WebSocketServer {
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.maxFrameBytes, perMessageDeflate: false, WebSocket: AgentSocket });
    const httpServer = this.httpServer as HttpServer;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(wss, request, socket, head);
    });
    this.watchLiveness(wss);
    return this.bindErrorHandler(wss);
  }

  /** A client's protocol error (e.g. an oversized frame, closed with 1009) is its problem: one line, no stack. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (ws: AgentSocket) => ws.on('error', onSocketError));
    server.on('error', (err: Error) => this.socketLogger.error(`WebSocket server error: ${err.message}`));
    return server;
  }

  /** Shutdown: every socket is told 1001 (going away) instead of being cut. */
  override async close(server: WebSocketServer): Promise<void> {
    this.timers.splice(0).forEach(clearInterval);
    for (const client of server.clients) client.close(1001, 'Server shutting down');
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async upgrade(wss: WebSocketServer, request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    let admission;
    try {
      this.gate ??= this.app.get<UpgradeGate>(UpgradeGate);
      admission = await this.gate.admit(request);
    } catch (error) {
      this.socketLogger.error(`upgrade failed: ${(error as Error).message}`);
      refuse(socket, 500, 'Internal server error');
      return;
    }
    if (!admission.ok) {
      refuse(socket, admission.status, admission.message);
      return;
    }
    const { context } = admission;
    // The slot is given back when the TCP socket closes, whether the upgrade failed or the WebSocket
    // ended later (release is idempotent): one listener on the socket, no closure kept per socket.
    socket.on('close', context.release);
    upgradeContexts.set(request, context);
    wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
  }

  private watchLiveness(wss: WebSocketServer): void {
    wss.on('connection', (ws: AgentSocket) => ws.on('pong', onSocketPong));
    const { wsHeartbeatMs, wsIdleTimeoutMs } = this.lifecycle;
    const period = Math.min(...[wsHeartbeatMs, wsIdleTimeoutMs].filter((ms) => ms > 0));
    if (!Number.isFinite(period)) return;
    // One timer for every socket, not one per socket.
    const timer = setInterval(() => {
      const now = Date.now();
      for (const ws of wss.clients as Set<AgentSocket>) {
        if (wsIdleTimeoutMs > 0 && now - ws.lastHeard > wsIdleTimeoutMs) {
          ws.close(1000, 'Idle timeout');
          continue;
        }
        if (wsHeartbeatMs <= 0) continue;
        if (!ws.alive) {
          ws.terminate();
          continue;
        }
        ws.alive = false;
        ws.ping();
      }
    }, period);
    timer.unref();
    this.timers.push(timer);
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = STATUS_CODES[status] ?? 'Error';
  const body = JSON.stringify({ statusCode: status, message, error: reason });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      (status === 401 ? 'WWW-Authenticate: Bearer\r\n' : '') +
      'Connection: close\r\n\r\n' +
      body,
  );
}
