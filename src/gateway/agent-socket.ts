import { Logger } from '@nestjs/common';
import { from, isObservable, mergeMap, Observable, of, Subscription } from 'rxjs';
import { WebSocket } from 'ws';
import type { ServerFrame } from '../protocol/server-frames';
import { frameJson } from '../protocol/frame-json';
import { wsMessageText } from '../protocol/ws-text';
import { sendText } from './socket-writer';

const logger = new Logger('AgentWsAdapter');

/** The gateway's frame handler for one socket, as Nest binds it (through its pipes and filters). */
export type FrameHandler = (text: string, event: string) => unknown;

/**
 * The WebSocket class of the service's server (ws's `WebSocket` option). What the adapter keeps per
 * socket lives in its fields, and its listeners are shared functions that find the socket as `this`:
 * an idle socket is held for hours, and closures, weak-map entries and `once` wrappers per socket
 * would cost more heap than the socket itself (5,000 idle sockets in the benchmark).
 */
export class AgentSocket extends WebSocket {
  /** Bound by the gateway's `frame` handler; undefined when the gateway has none. */
  frameHandler: FrameHandler | undefined;
  /** Replies still being sent; unsubscribed when the socket closes (a reply stops with its socket). */
  replies: Set<Subscription> | undefined;
  /** Answered the last ping (or was just opened). */
  alive = true;
  /** When the socket last sent a frame (WS_IDLE_TIMEOUT_MS). */
  lastHeard = Date.now();
}

/** Hands a text frame to the gateway and sends the frames of its reply, in order. */
export function onSocketMessage(this: WebSocket, data: Buffer | ArrayBuffer | Buffer[]): void {
  const socket = this as AgentSocket;
  socket.lastHeard = Date.now();
  const handler = socket.frameHandler;
  if (!handler) return;
  let reply: Observable<unknown>;
  try {
    reply = replyOf(handler(wsMessageText(data), FRAME_EVENT));
  } catch (error) {
    logger.error(`frame handler failed: ${(error as Error).message}`);
    return;
  }
  const subscription = reply.subscribe({
    next: (frame) => {
      if (frame !== null && frame !== undefined) sendText(socket, frameJson(frame as ServerFrame));
    },
    error: (error: Error) => logger.error(`reply failed: ${error.message}`),
    complete: () => socket.replies?.delete(subscription),
  });
  if (!subscription.closed) (socket.replies ??= new Set()).add(subscription);
}

/** The socket is gone: its replies stop. */
export function onSocketClose(this: WebSocket): void {
  const socket = this as AgentSocket;
  socket.replies?.forEach((subscription) => subscription.unsubscribe());
  socket.replies = undefined;
}

export function onSocketPong(this: WebSocket): void {
  (this as AgentSocket).alive = true;
}

/** A client's protocol error (e.g. an oversized frame, closed with 1009) is its problem: one line, no stack. */
export function onSocketError(err: Error): void {
  logger.warn(`socket closed after a protocol error: ${err.message}`);
}

export const FRAME_EVENT = 'frame';

/** What Nest's own adapters do with a handler's result: a promise of a value or of an Observable, as an Observable. */
function replyOf(result: unknown): Observable<unknown> {
  return from(Promise.resolve(result)).pipe(mergeMap((value) => (isObservable(value) ? value : of(value))));
}
