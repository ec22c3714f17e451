/** WebSocket load generation: many sockets (protocol 2 or compat) running turns, idle sockets, single-session turns. */
import { performance } from 'node:perf_hooks';
import { RawData, WebSocket } from 'ws';
import { Percentiles, percentiles, round, sleep, withTimeout } from './stats';

const CONNECT_CONCURRENCY = 100;
const CONNECT_TIMEOUT_MS = 30_000;
const FINAL = Buffer.from('"is_final":true');
const ERROR = Buffer.from('"type":"error"');

export type Protocol = 1 | 2;

export const socketUrl = (port: number, sessionId: string, protocol: Protocol = 2): string =>
  `ws://127.0.0.1:${port}/api/v1/ws/${encodeURIComponent(sessionId)}${protocol === 2 ? '?protocol=2' : ''}`;

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

/** Opens a socket; a protocol-2 one is ready with its first frame (`status`), a compat one once open. */
export function openSocket(url: string): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  const compat = !url.includes('protocol=2');
  const ready = new Promise<WebSocket>((resolve, reject) => {
    if (compat) ws.once('open', () => resolve(ws));
    else ws.once('message', (data) => {
      const text = asBuffer(data).toString('utf8');
      if (text.includes('"type":"status"')) resolve(ws);
      else reject(new Error(`expected a status frame first, got ${text.slice(0, 200)}`));
    });
    ws.once('error', reject);
    ws.once('close', (code) => reject(new Error(`socket closed (${code}) before it was ready`)));
  });
  return withTimeout(ready, CONNECT_TIMEOUT_MS, `no status frame from ${url}`).catch((error: unknown) => {
    ws.terminate();
    throw error;
  });
}

/** Opens `urls.length` sockets, at most CONNECT_CONCURRENCY handshakes at a time. */
async function openSockets(urls: readonly string[]): Promise<WebSocket[]> {
  const sockets: WebSocket[] = new Array<WebSocket>(urls.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < urls.length) {
      const i = next++;
      sockets[i] = await openSocket(urls[i] as string);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, urls.length) }, worker));
  } catch (error) {
    closeSockets(sockets.filter((s) => s !== undefined), 0).catch(() => undefined);
    throw error;
  }
  return sockets;
}

/** Closes sockets with a close handshake, terminating those that have not closed after `graceMs`. */
export async function closeSockets(sockets: readonly WebSocket[], graceMs = 5000): Promise<void> {
  const closed = sockets.map(
    (ws) =>
      new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        if (graceMs === 0) ws.terminate();
        else ws.close(1000);
      }),
  );
  const timer = setTimeout(() => sockets.forEach((ws) => ws.terminate()), graceMs);
  await Promise.all(closed);
  clearTimeout(timer);
}

export interface StreamFigures {
  readonly sockets: number;
  readonly turnsPerSocket: number;
  readonly frames: number;
  readonly seconds: number;
  readonly framesPerSec: number;
  /** Completed turns (final frames) per second. */
  readonly turnsPerSec: number;
  /** Send → first frame of the reply, ms. */
  readonly firstFrameMs: Percentiles;
  /** Send → final frame of the reply, ms. */
  readonly turnMs: Percentiles;
  readonly errors: number;
  /** Frames received that were not expected (should be 0). */
  readonly unexpectedFrames: number;
}

export interface StreamRound {
  readonly port: number;
  /** 2: every token is a frame; 1 (compat): agent_switched and the final frame only. */
  readonly protocol: Protocol;
  readonly sockets: number;
  readonly turns: number;
  readonly tokens: number;
  readonly sessionPrefix: string;
  readonly timeoutMs: number;
}

/**
 * Every socket sends `turns` user messages one after the other (the next as soon as the previous reply
 * ended); the first carries agent_type "coder" so routing happens once. All sockets start together.
 */
export async function runStreamRound(spec: StreamRound): Promise<StreamFigures> {
  const urls = Array.from({ length: spec.sockets }, (_, i) => socketUrl(spec.port, `${spec.sessionPrefix}-${i}`, spec.protocol));
  const sockets = await openSockets(urls);
  const firstFrame: number[] = [];
  const turn: number[] = [];
  let frames = 0;
  let errors = 0;
  const started = performance.now();
  let ended = started;
  try {
    const runs = sockets.map(
      (ws, i) =>
        new Promise<void>((resolve, reject) => {
          let done = 0;
          let sentAt = 0;
          let gotFirst = false;
          const send = (): void => {
            const frame: Record<string, string> = { type: 'user_message', content: `bench ${i} turn ${done + 1}` };
            if (done === 0) frame.agent_type = 'coder';
            gotFirst = false;
            sentAt = performance.now();
            ws.send(JSON.stringify(frame));
          };
          ws.on('message', (data) => {
            const now = performance.now();
            const buf = asBuffer(data);
            frames += 1;
            if (!gotFirst) {
              gotFirst = true;
              firstFrame.push(now - sentAt);
            }
            if (!buf.includes(FINAL)) return;
            if (buf.includes(ERROR)) errors += 1;
            turn.push(now - sentAt);
            done += 1;
            if (done < spec.turns) send();
            else resolve();
          });
          ws.once('close', (code) => {
            if (done < spec.turns) reject(new Error(`socket ${i} closed (${code}) after ${done} turns`));
          });
          send();
        }),
    );
    await withTimeout(Promise.all(runs), spec.timeoutMs, `streaming round with ${spec.sockets} sockets`);
    ended = performance.now();
  } finally {
    await closeSockets(sockets);
  }
  const seconds = (ended - started) / 1000;
  // Per socket: one agent_switched, then tokens + 1 frames per turn (compat: the final frame only).
  const expected = spec.sockets * (1 + spec.turns * (spec.protocol === 2 ? spec.tokens + 1 : 1));
  return {
    sockets: spec.sockets,
    turnsPerSocket: spec.turns,
    frames,
    seconds: round(seconds),
    framesPerSec: Math.round(frames / seconds),
    turnsPerSec: Math.round(turn.length / seconds),
    firstFrameMs: percentiles(firstFrame),
    turnMs: percentiles(turn),
    errors,
    unexpectedFrames: frames - expected,
  };
}

/** Sequential turns on one already open socket; returns each turn's send → final frame time in ms. */
export async function timeTurns(
  ws: WebSocket,
  count: number,
  label: string,
  content: (i: number) => string = (i) => `${label} turn ${i}`,
): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const sentAt = performance.now();
    const reply = new Promise<void>((resolve, reject) => {
      const onMessage = (data: RawData): void => {
        const buf = asBuffer(data);
        if (!buf.includes(FINAL)) return;
        ws.off('message', onMessage);
        if (buf.includes(ERROR)) reject(new Error(`${label}: error frame ${buf.toString('utf8').slice(0, 200)}`));
        else resolve();
      };
      ws.on('message', onMessage);
    });
    ws.send(JSON.stringify({ type: 'user_message', content: content(i) }));
    await withTimeout(reply, 60_000, `${label} turn ${i}`);
    times.push(performance.now() - sentAt);
  }
  return times;
}

export interface IdleMemory {
  readonly sockets: number;
  readonly rssBeforeBytes: number;
  readonly rssAfterBytes: number;
  /** RSS growth per socket: the figure compared with the baseline. */
  readonly bytesPerSocket: number;
  /** Of which V8 heap (after a forced GC) and external / ArrayBuffer memory, per socket. */
  readonly heapBytesPerSocket: number | null;
  readonly externalBytesPerSocket: number | null;
}

export interface MemoryProbe {
  rssBytes(): number;
  /** Asks the process for a full GC (SIGWINCH, see child-hook.ts). */
  signal(name: NodeJS.Signals): void;
  /** Forces a full GC in the process and returns what it reported after it (null if it did not in time). */
  collectMemory(): Promise<NodeJS.MemoryUsage | null>;
}

interface MemorySample {
  readonly rss: number;
  readonly usage: NodeJS.MemoryUsage | null;
}

/** RSS growth of `server` for `count` idle protocol-2 sockets (each on its own session id). */
export async function measureIdleSockets(
  server: MemoryProbe,
  port: number,
  count: number,
  sessionPrefix: string,
  settleMs: number,
): Promise<IdleMemory> {
  const before = await settledMemory(server, settleMs);
  const sockets = await openSockets(Array.from({ length: count }, (_, i) => socketUrl(port, `${sessionPrefix}-${i}`)));
  try {
    const after = await settledMemory(server, settleMs);
    const perSocket = (pick: (u: NodeJS.MemoryUsage) => number): number | null =>
      before.usage && after.usage ? Math.round((pick(after.usage) - pick(before.usage)) / count) : null;
    return {
      sockets: count,
      rssBeforeBytes: before.rss,
      rssAfterBytes: after.rss,
      bytesPerSocket: Math.round((after.rss - before.rss) / count),
      heapBytesPerSocket: perSocket((u) => u.heapUsed),
      externalBytesPerSocket: perSocket((u) => u.external),
    };
  } finally {
    await closeSockets(sockets);
  }
}

async function settledMemory(server: MemoryProbe, settleMs: number): Promise<MemorySample> {
  await sleep(settleMs / 2);
  const usage = await server.collectMemory();
  await sleep(settleMs / 2);
  return { rss: server.rssBytes(), usage };
}

