import { STATUS_CODES, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import { INestApplication, Logger } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { MessageMappingProperties } from '@nestjs/websockets/gateway-metadata-explorer';
import { Observable, Subscription } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import type { ServerFrame } from '../protocol/server-frames';
import { frameJson } from '../protocol/frame-json';
import { wsMessageText } from '../protocol/ws-text';
import type { LifecycleConfig } from '../config/app-config';
import { sendText } from './socket-writer';
import { UpgradeContext, UpgradeGate } from './upgrade-gate.service';

export const FRAME_EVENT = 'frame';

/** What the gate decided for an upgrade request, read by the gateway on connection. */
export const upgradeContexts = new WeakMap<IncomingMessage, UpgradeContext>();

/**
 * Nest's WsAdapter matches a gateway's path exactly; our sockets live at `/ws/{id}` and
 * `/api/v1/ws/{id}`. This adapter owns the HTTP upgrade: the UpgradeGate refuses bad ids, missing
 * credentials, other users' sessions and too many sockets with an HTTP status before any socket exists.
 * It enforces the frame size limit (close 1009), pings every socket (dead peers are dropped), closes
 * idle ones, says 1001 on shutdown, and hands every text frame to the gateway's single `frame` handler,
 * which parses and validates it itself (so bad JSON gets an answer instead of being dropped).
 */
export class AgentWsAdapter extends WsAdapter {
  private readonly socketLogger = new Logger(AgentWsAdapter.name);
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly app: INestApplication,
    private readonly maxFrameBytes: number,
    private readonly lifecycle: LifecycleConfig,
  ) {
    super(app);
  }

  /**
   * Every text frame goes to the gateway's `frame` handler (through Nest's pipes and filters); the
   * frames of its reply go out in order. Plain listeners instead of Nest's per-client rxjs pipeline:
   * an idle socket then costs two listeners and an empty set, and a reply still stops when its socket closes.
   */
  override bindMessageHandlers(
    client: WebSocket,
    handlers: MessageMappingProperties[],
    transform: (data: unknown) => Observable<unknown>,
  ): void {
    const handler = handlers.find((h) => h.message === FRAME_EVENT);
    if (!handler) return;
    let replies: Set<Subscription> | undefined;
    client.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      let reply: Observable<unknown>;
      try {
        const result = handler.callback(wsMessageText(data), FRAME_EVENT);
        reply = transform(result);
      } catch (error) {
        this.socketLogger.error(`frame handler failed: ${(error as Error).message}`);
        return;
      }
      const subscription = reply.subscribe({
        next: (frame) => {
          if (frame !== null && frame !== undefined) sendText(client, frameJson(frame as ServerFrame));
        },
        error: (error: Error) => this.socketLogger.error(`reply failed: ${error.message}`),
        complete: () => replies?.delete(subscription),
      });
      if (!subscription.closed) (replies ??= new Set()).add(subscription);
    });
    client.once('close', () => {
      replies?.forEach((subscription) => subscription.unsubscribe());
      replies = undefined;
    });
  }

  override create(): WebSocketServer {
    const wss = new WebSocketServer({ noServer: true, maxPayload: this.maxFrameBytes, perMessageDeflate: false });
    const httpServer = this.httpServer as HttpServer;
    httpServer.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(wss, request, socket, head);
    });
    this.watchLiveness(wss);
    return this.bindErrorHandler(wss);
  }

  /** A client's protocol error (e.g. an oversized frame, closed with 1009) is its problem: one line, no stack. */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (ws: WebSocket) =>
      ws.on('error', (err: Error) => this.socketLogger.warn(`socket closed after a protocol error: ${err.message}`)),
    );
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
      admission = await this.app.get(UpgradeGate).admit(request);
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
    const slot = holdSlot(socket, context.release);
    upgradeContexts.set(request, context);
    wss.handleUpgrade(request, socket, head, (ws) => {
      slot.handOver(ws);
      wss.emit('connection', ws, request);
    });
  }

  private watchLiveness(wss: WebSocketServer): void {
    const alive = new WeakSet<WebSocket>();
    const lastHeard = new WeakMap<WebSocket, number>();
    wss.on('connection', (ws: WebSocket) => {
      alive.add(ws);
      lastHeard.set(ws, Date.now());
      ws.on('pong', () => alive.add(ws));
      ws.on('message', () => lastHeard.set(ws, Date.now()));
    });
    const { wsHeartbeatMs, wsIdleTimeoutMs } = this.lifecycle;
    const period = Math.min(...[wsHeartbeatMs, wsIdleTimeoutMs].filter((ms) => ms > 0));
    if (!Number.isFinite(period)) return;
    const timer = setInterval(() => {
      const now = Date.now();
      for (const ws of wss.clients) {
        if (wsIdleTimeoutMs > 0 && now - (lastHeard.get(ws) ?? now) > wsIdleTimeoutMs) {
          ws.close(1000, 'Idle timeout');
          continue;
        }
        if (wsHeartbeatMs <= 0) continue;
        if (!alive.has(ws)) {
          ws.terminate();
          continue;
        }
        alive.delete(ws);
        ws.ping();
      }
    }, period);
    timer.unref();
    this.timers.push(timer);
  }
}

/**
 * Gives the socket slot back when the upgrade fails or, once upgraded, when the WebSocket closes.
 * Kept out of `upgrade()` so that the long-lived close listener does not hold the request in its scope.
 */
function holdSlot(socket: Duplex, release: () => void): { handOver(ws: WebSocket): void } {
  let upgraded = false;
  socket.once('close', () => upgraded || release());
  return {
    handOver(ws: WebSocket): void {
      upgraded = true;
      ws.once('close', release);
    },
  };
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
