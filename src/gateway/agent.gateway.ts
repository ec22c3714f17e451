import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { concatMap, EMPTY, filter, from, map, Observable, of } from 'rxjs';
import { WebSocket } from 'ws';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import type { TurnFrame } from '../agent-runtime/agent-runtime.service';
import { RateLimiter } from '../auth/rate-limiter';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { sessionInfoFrame } from '../protocol/frame-builders';
import { frameJson } from '../protocol/frame-json';
import { errorFrame, ServerFrame, StatusFrame } from '../protocol/server-frames';
import { FRAME_EVENT, upgradeContexts } from './agent-ws.adapter';
import { FrameLimits, parseClientFrameText } from './client-frame.parser';
import { SocketSession } from './socket-session';
import { sendText } from './socket-writer';
import { TemporaryIds } from './temporary-ids';
import { toWire } from './wire';

/** A protocol-2 socket that lets this much output pile up is closed (1013); it can resume with last_seq. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/**
 * The IDE's WebSocket. It only adapts: parse and validate frames, bind the socket to its session,
 * hand each frame to the agent runtime and relay frames in the socket's protocol. Compat (protocol 1)
 * sockets get the reply to each of their frames, in order. Protocol-2 sockets follow the session:
 * status first, replay after `last_seq`, then every frame of the session, whichever socket caused it.
 * It never touches the database.
 */
@WebSocketGateway({ path: '/ws' })
export class AgentGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly sockets = new WeakMap<WebSocket, SocketSession>();
  private readonly limiter: RateLimiter;
  private readonly limits: FrameLimits;
  private readonly perMinute: number;

  constructor(
    private readonly runtime: AgentRuntimeService,
    private readonly temporaryIds: TemporaryIds,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = new RateLimiter(config.limits.wsMessagesPerMinute);
    this.limits = config.limits;
    this.perMinute = config.limits.wsMessagesPerMinute;
  }

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const context = upgradeContexts.get(request);
    if (!context) {
      client.close(1011, 'Connection was not admitted');
      return;
    }
    const socket = new SocketSession(context.target, context.principal);
    if (context.resumedSessionId) socket.bind(context.resumedSessionId, true);
    this.sockets.set(client, socket);
    if (socket.protocol === 2) socket.ready = this.greet(client, socket);
    this.logger.debug(
      `session=${socket.sessionId ?? context.target.requestedId} user=${context.principal.userId} socket connected (protocol ${socket.protocol})`,
    );
  }

  handleDisconnect(client: WebSocket): void {
    const socket = this.sockets.get(client);
    socket?.close();
    this.logger.debug(`session=${socket?.sessionId ?? socket?.target.requestedId ?? '?'} socket disconnected`);
  }

  @SubscribeMessage(FRAME_EVENT)
  onFrame(@ConnectedSocket() client: WebSocket, @MessageBody() text: string): Observable<ServerFrame> {
    const socket = this.sockets.get(client);
    if (!socket) return of(errorFrame('Connection is not ready'));
    const waitMs = this.limiter.take(socket.rateKey);
    if (waitMs > 0) {
      return of(errorFrame(`Rate limit exceeded: at most ${this.perMinute} messages a minute; retry in ${Math.ceil(waitMs / 1000)} s`));
    }
    if (socket.protocol === 2) return from(socket.ready).pipe(concatMap(() => this.replyV2(client, socket, text)));
    return socket.inOrder(this.replyV1(socket, text));
  }

  private replyV1(socket: SocketSession, text: string): Observable<ServerFrame> {
    const parsed = parseClientFrameText(text, this.limits);
    if (!parsed.ok) return of(errorFrame(parsed.error));
    if (parsed.frame.type === 'cancel') return of(errorFrame('Unknown message type: cancel'));
    return this.dispatch(socket, parsed.frame).pipe(
      map((out) => toWire(out, 1)),
      filter((out): out is ServerFrame => out !== null),
    );
  }

  /** Protocol 2: the reply reaches this socket (and every other one of the session) through `follow`. */
  private replyV2(client: WebSocket, socket: SocketSession, text: string): Observable<ServerFrame> {
    const parsed = parseClientFrameText(text, this.limits);
    if (!parsed.ok) return of(errorFrame(parsed.error));
    const frame = parsed.frame;
    if (frame.type === 'cancel') {
      const id = socket.sessionId;
      return id !== undefined && this.runtime.cancel(id) ? EMPTY : of(errorFrame('Nothing is running to cancel'));
    }
    const wasBound = socket.sessionId !== undefined;
    const reply = this.dispatch(socket, frame);
    if (!wasBound && socket.sessionId !== undefined) this.follow(client, socket, socket.sessionId, 0);
    return reply.pipe(
      filter((out) => out.seq === undefined),
      map((out) => toWire(out, 2) ?? out),
    );
  }

  /** Binds a temporary socket on its first session-creating frame, then hands the frame to the runtime. */
  private dispatch(socket: SocketSession, frame: TurnFrame): Observable<ServerFrame> {
    if (socket.sessionId === undefined) {
      if (frame.type === 'tool_result' || frame.type === 'hitl_decision') {
        return of(errorFrame(`No pending tool call with call_id ${frame.call_id}: this connection has no session yet`));
      }
      const sessionId = randomUUID();
      socket.bind(sessionId, true);
      this.temporaryIds.remember(socket.target.requestedId, socket.owner, sessionId);
    }
    const announceSession = socket.takeAnnouncement();
    return this.runtime.handle({ sessionId: socket.sessionId as string, owner: socket.owner, frame, announceSession });
  }

  /** Protocol 2 greeting: `status`, `session_info` again for a resumed temporary id, then replay and live frames. */
  private async greet(client: WebSocket, socket: SocketSession): Promise<void> {
    const sessionId = socket.sessionId;
    try {
      const status = sessionId ? await this.runtime.status(sessionId) : undefined;
      const frame: StatusFrame = {
        type: 'status',
        ...(sessionId && status?.exists ? { session_id: sessionId } : {}),
        state: status?.state ?? 'idle',
        current_agent: status?.currentAgent ?? 'orchestrator',
        last_seq: status?.lastSeq ?? 0,
        is_final: false,
      };
      send(client, frame);
      if (sessionId === undefined) return;
      if (socket.takeAnnouncement()) send(client, sessionInfoFrame(sessionId));
      this.follow(client, socket, sessionId, socket.target.lastSeq ?? frame.last_seq);
    } catch (error) {
      this.logger.error(`session=${sessionId ?? '?'} could not greet a protocol-2 socket: ${(error as Error).message}`);
      send(client, errorFrame('Could not load the session state; reconnect to try again'));
    }
  }

  private follow(client: WebSocket, socket: SocketSession, sessionId: string, afterSeq: number): void {
    socket.follow(
      this.runtime.watch(sessionId, afterSeq).subscribe({
        next: (frame) => {
          if (client.bufferedAmount > MAX_BUFFERED_BYTES) {
            this.logger.warn(`session=${sessionId} closing a socket that does not keep up`);
            client.close(1013, 'Too slow: reconnect with last_seq to resume');
            socket.close();
            return;
          }
          send(client, frame);
        },
        error: (error: Error) => {
          this.logger.error(`session=${sessionId} replay failed: ${error.message}`);
          client.close(1011, 'Replay failed; reconnect with last_seq');
        },
      }),
    );
  }
}

function send(client: WebSocket, frame: ServerFrame): void {
  sendText(client, frameJson(frame));
}
