import WebSocket from 'ws';
import { wsMessageText } from '../../src/protocol/ws-text';
import type { ClientFrame, IncomingFrame } from './frames';
import { parseIncoming } from './frames';
import type { ProtocolVersion } from './options';

export interface ConnectionListener {
  /** A frame to show (protocol 2: never one already seen). */
  frame(incoming: IncomingFrame): void;
  /** A line for the user about the connection itself. */
  notice(text: string): void;
  /** The socket closed unexpectedly; a reconnect is scheduled. */
  dropped(): void;
  /** The connection cannot be (re)established; the client should stop. */
  fatal(text: string): void;
}

const FIRST_DELAY_MS = 250;
const MAX_DELAY_MS = 5_000;
/** Consecutive failed attempts before giving up: few before the first connection, more after a drop. */
const MAX_FIRST_ATTEMPTS = 5;
const MAX_FAILED_ATTEMPTS = 20;

/**
 * One session's WebSocket, kept open: frames sent while disconnected wait in an outbox, a dropped
 * socket is reopened with growing delays, and (protocol 2) the reconnect asks for every frame after
 * the last `seq` seen, while frames already seen are skipped.
 */
export class SessionConnection {
  private socket: WebSocket | null = null;
  private open = false;
  private closing = false;
  private failedAttempts = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly outbox: string[] = [];
  /** Highest `seq` seen; `null` until the first `status` (or numbered frame) tells where the log stands. */
  private lastSeq: number | null = null;

  /** The HTTP answer of a refused upgrade, kept until the socket reports its close. */
  private refusal: { status: number; message: string } | null = null;

  constructor(
    private readonly wsUrl: string,
    private sessionId: string,
    private readonly protocol: ProtocolVersion,
    private readonly headers: Readonly<Record<string, string>>,
    private readonly listener: ConnectionListener,
  ) {}

  get currentSessionId(): string {
    return this.sessionId;
  }

  /** Later (re)connects use this id (the real one from `session_info`). */
  bindSession(sessionId: string): void {
    this.sessionId = sessionId;
  }

  /** Leaves this session for another one (a fork): closes the socket and connects to `sessionId`. */
  switchSession(sessionId: string): void {
    const previous = this.socket;
    this.socket = null;
    this.open = false;
    this.sessionId = sessionId;
    this.lastSeq = null;
    this.failedAttempts = 0;
    this.everConnected = false;
    if (this.timer) clearTimeout(this.timer);
    previous?.close(1000);
    this.connect();
  }

  connect(): void {
    this.timer = null;
    if (this.closing) return;
    const socket = new WebSocket(this.url(), { maxPayload: 64 * 1024 * 1024, headers: { ...this.headers } });
    this.socket = socket;
    this.refusal = null;
    socket.on('unexpected-response', (_request, response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => {
        this.refusal = { status: response.statusCode ?? 0, message: refusalMessage(body) };
        socket.terminate();
      });
    });
    socket.on('open', () => {
      this.open = true;
      this.failedAttempts = 0;
      this.listener.notice(
        `${this.everConnected ? 'reconnected' : 'connected'} to session ${this.sessionId} (protocol ${this.protocol})`,
      );
      this.everConnected = true;
      for (const text of this.outbox.splice(0)) socket.send(text);
    });
    socket.on('message', (data, isBinary) => {
      if (!isBinary) this.receive(wsMessageText(data));
    });
    socket.on('error', (error) => this.failed(error));
    socket.on('close', (code, reason) => this.closed(socket, code, reason.toString()));
  }

  send(frame: ClientFrame): void {
    const text = JSON.stringify(frame);
    if (this.open && this.socket?.readyState === WebSocket.OPEN) this.socket.send(text);
    else this.outbox.push(text);
  }

  close(): void {
    this.closing = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.socket?.close(1000);
  }

  private url(): string {
    const base = `${this.wsUrl}/api/v1/ws/${encodeURIComponent(this.sessionId)}`;
    if (this.protocol === 1) return base;
    return this.lastSeq === null ? `${base}?protocol=2` : `${base}?protocol=2&last_seq=${this.lastSeq}`;
  }

  private receive(text: string): void {
    const incoming = parseIncoming(text);
    if (!incoming) {
      this.listener.notice(`ignored a frame that is not a JSON object with a type: ${text.slice(0, 200)}`);
      return;
    }
    if (this.protocol === 2) {
      if (incoming.known && incoming.frame.type === 'status') {
        // The first status says where the log stands; frames up to there were never ours to replay.
        // A log behind what we saw means the service crashed before writing its last frames: follow it.
        if (this.lastSeq === null || incoming.frame.last_seq < this.lastSeq) this.lastSeq = incoming.frame.last_seq;
      } else if (typeof incoming.frame.seq === 'number') {
        if (this.lastSeq !== null && incoming.frame.seq <= this.lastSeq) return;
        this.lastSeq = incoming.frame.seq;
      }
    }
    this.listener.frame(incoming);
  }

  private failed(error: Error): void {
    if (!this.open && !this.refusal) this.listener.notice(`cannot connect: ${error.message}`);
  }

  private closed(socket: WebSocket, code: number, reason: string): void {
    if (socket !== this.socket) return;
    const wasOpen = this.open;
    this.open = false;
    this.socket = null;
    if (this.closing) return;
    const refusal = this.refusal;
    this.refusal = null;
    if (refusal && refusal.status >= 400 && refusal.status < 500) {
      this.closing = true;
      const text = `the service refused session ${this.sessionId}: HTTP ${refusal.status}${refusal.message ? ` ${refusal.message}` : ''}`;
      this.listener.fatal(text);
      return;
    }
    if (refusal) this.listener.notice(`the service answered HTTP ${refusal.status}${refusal.message ? ` ${refusal.message}` : ''}`);
    if (wasOpen) {
      this.listener.notice(`connection closed (${code}${reason ? `: ${reason}` : ''})`);
      this.listener.dropped();
    } else {
      this.failedAttempts += 1;
    }
    if (this.failedAttempts >= (this.everConnected ? MAX_FAILED_ATTEMPTS : MAX_FIRST_ATTEMPTS)) {
      this.closing = true;
      this.listener.fatal(`giving up after ${this.failedAttempts} failed attempts to connect to ${this.wsUrl}`);
      return;
    }
    const delay = Math.min(FIRST_DELAY_MS * 2 ** this.failedAttempts, MAX_DELAY_MS);
    this.listener.notice(`reconnecting in ${delay} ms…`);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}

/** The `message` of a JSON error body (`{"statusCode","message","error"}`), or the body itself, short. */
function refusalMessage(body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (typeof parsed === 'object' && parsed !== null && 'message' in parsed && typeof parsed.message === 'string') {
      return parsed.message;
    }
  } catch {
    // Not JSON: use the text.
  }
  return body.trim().slice(0, 200);
}
