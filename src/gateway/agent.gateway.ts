import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Logger } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { filter, map, Observable, of } from 'rxjs';
import type { WebSocket } from 'ws';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import { errorFrame, ServerFrame } from '../protocol/server-frames';
import { FRAME_EVENT } from './agent-ws.adapter';
import { parseClientFrameText } from './client-frame.parser';
import { SocketSession } from './socket-session';
import { TemporaryIds } from './temporary-ids';
import { toWire } from './wire';
import { parseWsTarget } from './ws-target';

/**
 * The IDE's WebSocket. It only adapts: parse and validate frames, bind the socket to its session,
 * hand each frame to the agent runtime and relay the reply stream in the socket's protocol.
 * It never touches the database.
 */
@WebSocketGateway({ path: '/ws' })
export class AgentGateway implements OnGatewayConnection<WebSocket>, OnGatewayDisconnect<WebSocket> {
  private readonly logger = new Logger(AgentGateway.name);
  private readonly sockets = new WeakMap<WebSocket, SocketSession>();

  constructor(
    private readonly runtime: AgentRuntimeService,
    private readonly temporaryIds: TemporaryIds,
  ) {}

  handleConnection(client: WebSocket, request: IncomingMessage): void {
    const parsed = parseWsTarget(request.url);
    if (!parsed.ok) {
      client.close(1008, parsed.message);
      return;
    }
    const socket = new SocketSession(parsed.target);
    if (parsed.target.temporary) {
      const known = this.temporaryIds.resolve(parsed.target.requestedId);
      if (known) socket.bind(known, true);
    }
    this.sockets.set(client, socket);
    this.logger.log(`session=${socket.sessionId ?? parsed.target.requestedId} socket connected (protocol ${socket.protocol})`);
  }

  handleDisconnect(client: WebSocket): void {
    const socket = this.sockets.get(client);
    this.logger.log(`session=${socket?.sessionId ?? socket?.target.requestedId ?? '?'} socket disconnected`);
  }

  @SubscribeMessage(FRAME_EVENT)
  onFrame(@ConnectedSocket() client: WebSocket, @MessageBody() text: string): Observable<ServerFrame> {
    const socket = this.sockets.get(client);
    if (!socket) return of(errorFrame('Connection is not ready'));
    return socket.inOrder(this.reply(socket, text));
  }

  private reply(socket: SocketSession, text: string): Observable<ServerFrame> {
    const parsed = parseClientFrameText(text);
    if (!parsed.ok) return of(errorFrame(parsed.error));
    const frame = parsed.frame;
    if (frame.type === 'cancel') {
      return of(errorFrame('Unknown message type: cancel'));
    }
    let announceSession = false;
    if (socket.sessionId === undefined) {
      if (frame.type === 'tool_result' || frame.type === 'hitl_decision') {
        return of(errorFrame(`No pending tool call with call_id ${frame.call_id}: this connection has no session yet`));
      }
      const sessionId = randomUUID();
      socket.bind(sessionId, true);
      this.temporaryIds.remember(socket.target.requestedId, sessionId);
    }
    announceSession = socket.takeAnnouncement();
    const sessionId = socket.sessionId as string;
    return this.runtime.handle({ sessionId, frame, announceSession }).pipe(
      map((out) => toWire(out, socket.protocol)),
      filter((out): out is ServerFrame => out !== null),
    );
  }
}
