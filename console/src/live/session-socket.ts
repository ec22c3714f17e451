import { parseFrame } from '../api/guards';
import type { ClientFrame, ServerFrame } from '../api/wire';

/** What the console shows about the connection. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface ConnectionInfo {
  readonly state: ConnectionState;
  /** The `seq` of the newest frame received (undefined until the first `status`). */
  readonly lastSeq: number | undefined;
  /** Reconnect attempts since the connection was last open. */
  readonly attempt: number;
  /** After a resume: the seq it resumed from and how many missed frames the service replayed. */
  readonly resumedFrom: number | undefined;
  readonly replayed: number;
  /** Why the socket is closed for good (session deleted, closed by the console). */
  readonly closedReason: string | undefined;
}

/** The part of the browser's WebSocket the client uses (tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SessionSocketOptions {
  /** The socket URL without `last_seq` (the client adds it when it resumes); asked on every connect, so a renewed token is used. */
  readonly url: () => string;
  readonly open: (url: string) => SocketLike;
  readonly onFrame: (frame: ServerFrame) => void;
  readonly onInfo: (info: ConnectionInfo) => void;
  /** Waits between reconnect attempts; the last one repeats. */
  readonly retryDelaysMs?: readonly number[];
}

const OPEN = 1;
/** The service closes a deleted session's sockets with 4404: there is nothing to reconnect to. */
const SESSION_DELETED = 4404;
const DEFAULT_RETRY_DELAYS_MS = [250, 500, 1000, 2000, 5000];

/**
 * A protocol-2 socket of one session that survives drops: it numbers nothing itself, it remembers the
 * `seq` of the newest frame and reconnects with `&last_seq=N`, so the service replays exactly the frames
 * it missed (PROTOCOL §2.5). Frames at or below the remembered seq are dropped, never shown twice.
 */
export class SessionSocket {
  private socket: SocketLike | undefined;
  private info: ConnectionInfo = { state: 'connecting', lastSeq: undefined, attempt: 0, resumedFrom: undefined, replayed: 0, closedReason: undefined };
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private stopped = false;
  private resumingFrom: number | undefined;

  constructor(private readonly options: SessionSocketOptions) {}

  get connection(): ConnectionInfo {
    return this.info;
  }

  connect(): void {
    this.stopped = false;
    this.openSocket();
  }

  /** Sends a frame; false when the socket is not open (the caller tells the user). */
  send(frame: ClientFrame): boolean {
    if (!this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  close(reason = 'closed'): void {
    this.stopped = true;
    if (this.retryTimer !== undefined) clearTimeout(this.retryTimer);
    const socket = this.socket;
    this.socket = undefined;
    socket?.close(1000, reason);
    this.update({ state: 'closed', closedReason: reason });
  }

  private openSocket(): void {
    const lastSeq = this.info.lastSeq;
    this.resumingFrom = lastSeq;
    const base = this.options.url();
    const url = lastSeq === undefined ? base : `${base}${base.includes('?') ? '&' : '?'}last_seq=${lastSeq}`;
    const socket = this.options.open(url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket === socket) this.update({ state: 'open', attempt: 0 });
    };
    socket.onmessage = (event) => {
      if (this.socket === socket && typeof event.data === 'string') this.receive(event.data);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socket = undefined;
      if (event.code === SESSION_DELETED) {
        this.stopped = true;
        this.update({ state: 'closed', closedReason: 'The session was deleted' });
        return;
      }
      if (!this.stopped) this.scheduleReconnect();
    };
    socket.onerror = () => {
      // A close event always follows; reconnecting is decided there.
    };
  }

  private receive(text: string): void {
    const frame = parseFrame(text);
    if (!frame) return;
    if (frame.type === 'status') {
      // After a resume the service replays what we missed; a last_seq it never reached is corrected here.
      const resumed = this.resumingFrom;
      this.update({
        lastSeq: resumed === undefined ? frame.last_seq : Math.min(resumed, frame.last_seq),
        resumedFrom: resumed,
        replayed: resumed === undefined ? 0 : Math.max(0, frame.last_seq - resumed),
      });
      this.options.onFrame(frame);
      return;
    }
    if (frame.seq !== undefined) {
      if (this.info.lastSeq !== undefined && frame.seq <= this.info.lastSeq) return;
      this.update({ lastSeq: frame.seq });
    }
    this.options.onFrame(frame);
  }

  private scheduleReconnect(): void {
    const delays = this.options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    const attempt = this.info.attempt + 1;
    this.update({ state: 'reconnecting', attempt });
    const delay = delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.openSocket();
    }, delay);
  }

  private update(change: Partial<ConnectionInfo>): void {
    this.info = { ...this.info, ...change };
    this.options.onInfo(this.info);
  }
}
