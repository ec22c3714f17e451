import { Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { FrameSink } from '../agent-runtime/events/follow-frames';
import type { SequencedFrame } from '../agent-runtime/events/session-event-log';
import { frameJson } from '../protocol/frame-json';
import type { SocketSession } from './socket-session';
import { sendText } from './socket-writer';

/** A protocol-2 socket that lets this much output pile up is closed (1013); it can resume with last_seq. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

const logger = new Logger('AgentGateway');

/**
 * Sends a session's followed frames to one protocol-2 socket: the sink of the socket's follow, held
 * for the socket's whole life (one small object instead of an observer and its closures).
 */
export class SocketRelay implements FrameSink {
  constructor(
    private readonly client: WebSocket,
    private readonly socket: SocketSession,
    private readonly sessionId: string,
  ) {}

  next(frame: SequencedFrame): void {
    if (this.client.bufferedAmount > MAX_BUFFERED_BYTES) {
      logger.warn(`session=${this.sessionId} closing a socket that does not keep up`);
      this.client.close(1013, 'Too slow: reconnect with last_seq to resume');
      this.socket.close();
      return;
    }
    try {
      sendText(this.client, frameJson(frame));
    } catch (error) {
      // Called from the publishing turn itself (no Observable in between): a socket's failure stays its own.
      this.error(error);
    }
  }

  error(error: unknown): void {
    logger.error(`session=${this.sessionId} replay failed: ${(error as Error).message}`);
    this.client.close(1011, 'Replay failed; reconnect with last_seq');
  }

  /** The session was deleted: the gateway closes the socket (4404). */
  complete(): void {}
}
