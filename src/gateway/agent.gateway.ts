import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Logger, OnModuleDestroy } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { catchError, concatMap, EMPTY, filter, from, map, Observable, of, Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import type { TurnFrame } from '../agent-runtime/agent-runtime.service';
import { RateLimit, RateLimiters, retrySeconds } from '../auth/rate-limiter';
import { runWithLogContext } from '../common/logging/log-context';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Metrics } from '../metrics/metrics.service';
import { sessionInfoFrame } from '../protocol/frame-builders';
import { frameJson } from '../protocol/frame-json';
import { errorFrame, ServerFrame, StatusFrame } from '../protocol/server-frames';
import { FRAME_EVENT, upgradeContexts } from './agent-ws.adapter';
import { FrameLimits, parseClientFrameText } from './client-frame.parser';
import { SocketRelay } from './socket-relay';
import { SocketSession } from './socket-session';
import { sendText } from './socket-writer';
import { TemporaryIds } from './temporary-ids';
import { toWire } from './wire';

/** Close code for the sockets of a deleted session (HTTP 404, in the application's 4000–4999 range). */
export const CLOSE_SESSION_DELETED = 4404;

/**
 * The IDE's WebSocket. It only adapts: parse and validate frames, bind the socket to its session,
 * hand each frame to the agent runtime and relay frames in the socket's protocol. Compat (protocol 1)
 * sockets get the reply to each of their frames, in order. Protocol-2 sockets follow the session:
 * status first, replay after `last_seq`, then every frame of the session, whichever socket caused it.
 * It never touches the database.
 */
@WebSocketGateway({ path: '/ws' })
export class AgentGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket>, OnModuleDestroy {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly sockets = new WeakMap<WebSocket, SocketSession>();
  /** Open sockets by the session they are bound to (to close them when it is deleted). */
  private readonly bySession = new Map<string, Set<WebSocket>>();
  private readonly deletionWatch: Subscription;
  private readonly limiter: RateLimit;
  private readonly limits: FrameLimits;
  private readonly perMinute: number;

  constructor(
    private readonly runtime: AgentRuntimeService,
    private readonly temporaryIds: TemporaryIds,
    private readonly metrics: Metrics,
    limiters: RateLimiters,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = limiters.perMinute('ws', config.limits.wsMessagesPerMinute);
    this.limits = config.limits;
    this.perMinute = config.limits.wsMessagesPerMinute;
    this.deletionWatch = runtime.deletions.subscribe((sessionId) => this.sessionDeleted(sessionId));
  }

  onModuleDestroy(): void {
    this.deletionWatch.unsubscribe();
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
    this.register(client, socket);
    this.metrics.openSockets.inc({ protocol: socket.protocol === 2 ? 'ws2' : 'ws1' });
    if (socket.protocol === 2) socket.greeting(this.greet(client, socket));
    this.logger.debug(
      `session=${socket.sessionId ?? context.target.requestedId} user=${context.principal.userId} socket connected (protocol ${socket.protocol})`,
    );
  }

  handleDisconnect(client: WebSocket): void {
    const socket = this.sockets.get(client);
    socket?.close();
    this.unregister(client, socket);
    if (socket) this.metrics.openSockets.dec({ protocol: socket.protocol === 2 ? 'ws2' : 'ws1' });
    this.logger.debug(`session=${socket?.sessionId ?? socket?.target.requestedId ?? '?'} socket disconnected`);
  }

  @SubscribeMessage(FRAME_EVENT)
  onFrame(@ConnectedSocket() client: WebSocket, @MessageBody() text: string): Observable<ServerFrame> {
    const socket = this.sockets.get(client);
    if (!socket) return of(errorFrame('Connection is not ready'));
    // The reply runs (and logs) with the socket's session and user, from the moment it is subscribed.
    const reply = this.reply(client, socket, text);
    return new Observable<ServerFrame>((subscriber) =>
      runWithLogContext({ sessionId: socket.sessionId, userId: socket.principal.via === 'none' ? undefined : socket.principal.userId }, () =>
        reply.subscribe(subscriber),
      ),
    );
  }

  private reply(client: WebSocket, socket: SocketSession, text: string): Observable<ServerFrame> {
    const refusal = (waitMs: number): Observable<ServerFrame> | undefined =>
      waitMs > 0
        ? of(errorFrame(`Rate limit exceeded: at most ${this.perMinute} messages a minute; retry in ${retrySeconds(waitMs)} s`))
        : undefined;
    // A refused frame's error keeps its place: after the status greeting (protocol 2) and after the
    // replies to earlier frames (compat), never overtaking them. Frames are counted in arrival order.
    if (socket.protocol === 2) {
      const admitted = socket.admit(async () => {
        await socket.ready;
        return this.limiter.take(socket.rateKey);
      });
      return from(admitted).pipe(concatMap((waitMs) => refusal(waitMs) ?? this.replyV2(client, socket, text)));
    }
    const admitted = socket.admit(() => this.limiter.take(socket.rateKey));
    return socket.inOrder(from(admitted).pipe(concatMap((waitMs) => refusal(waitMs) ?? this.replyV1(client, socket, text))));
  }

  private replyV1(client: WebSocket, socket: SocketSession, text: string): Observable<ServerFrame> {
    const parsed = parseClientFrameText(text, this.limits);
    if (!parsed.ok) return of(errorFrame(parsed.error));
    if (parsed.frame.type === 'cancel') return of(errorFrame('Unknown message type: cancel'));
    const reply = this.dispatch(socket, parsed.frame, () => this.register(client, socket));
    return reply.pipe(
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
      const nothing = of(errorFrame('Nothing is running to cancel'));
      // The turn may run on another instance: the answer comes back asynchronously.
      return id === undefined ? nothing : from(this.runtime.cancel(id)).pipe(concatMap((stopped) => (stopped ? EMPTY : nothing)));
    }
    // The runtime leaves numbered frames out of this reply (`reply: 'unnumbered'`, see handle()): only
    // frames outside the session's stream come this way, and protocol 2 gets them as they are.
    return this.dispatch(socket, frame, (sessionId) => {
      this.register(client, socket);
      this.follow(client, socket, sessionId, 0);
    });
  }

  /**
   * Hands the frame to the runtime. A temporary socket is bound first, on its first session-creating
   * frame, to the session its temporary id claims (a fresh UUID, or the one a socket on any instance
   * claimed first); `bound` runs once, then.
   */
  private dispatch(socket: SocketSession, frame: TurnFrame, bound: (sessionId: string) => void): Observable<ServerFrame> {
    if (socket.sessionId !== undefined) return this.handle(socket, frame);
    if (frame.type === 'tool_result' || frame.type === 'hitl_decision') {
      return of(errorFrame(`No pending tool call with call_id ${frame.call_id}: this connection has no session yet`));
    }
    let first = false;
    const binding = socket.bindOnce(async () => {
      first = true;
      return this.temporaryIds.claim(socket.target.requestedId, socket.owner, randomUUID());
    });
    return from(binding).pipe(
      concatMap((sessionId) => {
        if (first) bound(sessionId);
        return this.handle(socket, frame);
      }),
      catchError((error: Error) => {
        this.logger.error(`session=${socket.target.requestedId} could not claim the temporary id: ${error.message}`);
        return of(errorFrame('Could not create the session; send the message again'));
      }),
    );
  }

  private handle(socket: SocketSession, frame: TurnFrame): Observable<ServerFrame> {
    const announceSession = socket.takeAnnouncement();
    // Compat sockets show no streamed pieces; protocol-2 ones get every numbered frame through `follow`.
    const reply = socket.protocol === 2 ? 'unnumbered' : 'no_deltas';
    return this.runtime.handle({ sessionId: socket.sessionId as string, owner: socket.owner, frame, announceSession, reply });
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
      // A client ahead of the log (a crash lost the newest frames) resumes from the log's real end.
      this.follow(client, socket, sessionId, Math.min(socket.target.lastSeq ?? frame.last_seq, frame.last_seq));
    } catch (error) {
      this.logger.error(`session=${sessionId ?? '?'} could not greet a protocol-2 socket: ${(error as Error).message}`);
      send(client, errorFrame('Could not load the session state; reconnect to try again'));
      // A socket without its status and replay would stay silent forever: close it so the client reconnects.
      client.close(1011, 'Could not load the session state');
    }
  }

  private register(client: WebSocket, socket: SocketSession): void {
    const id = socket.sessionId;
    if (id === undefined) return;
    let clients = this.bySession.get(id);
    if (!clients) {
      clients = new Set();
      this.bySession.set(id, clients);
    }
    clients.add(client);
  }

  private unregister(client: WebSocket, socket: SocketSession | undefined): void {
    const id = socket?.sessionId;
    const clients = id === undefined ? undefined : this.bySession.get(id);
    if (!clients || id === undefined) return;
    clients.delete(client);
    if (clients.size === 0) this.bySession.delete(id);
  }

  /** A deleted session's sockets are closed (4404); its temporary id is forgotten by TemporaryIds itself. */
  private sessionDeleted(sessionId: string): void {
    const clients = this.bySession.get(sessionId);
    this.bySession.delete(sessionId);
    for (const client of clients ?? []) {
      this.sockets.get(client)?.close();
      client.close(CLOSE_SESSION_DELETED, 'Session deleted');
    }
    if (clients?.size) this.logger.log(`session=${sessionId} deleted: closed ${clients.size} socket(s)`);
  }

  private follow(client: WebSocket, socket: SocketSession, sessionId: string, afterSeq: number): void {
    socket.follow(this.runtime.follow(sessionId, afterSeq, new SocketRelay(client, socket, sessionId)));
  }
}

function send(client: WebSocket, frame: ServerFrame): void {
  sendText(client, frameJson(frame));
}
