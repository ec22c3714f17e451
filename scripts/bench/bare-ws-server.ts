/**
 * The benchmark's baselines: a bare `ws` server (no framework) that speaks just enough of both protocols
 * to answer the load generator with frames of the same shape and size as the service's. Protocol 2
 * (`?protocol=2`): `status` on connect; per `user_message` an `agent_switched` when `agent_type` changes
 * the agent, then BARE_TOKENS token frames and one final frame. Compat: nothing on connect; per message
 * the `agent_switched` (when the agent changes) and the final frame only. Also answers `GET /health`.
 *
 * With BARE_DB=<file> it is the *durable* baseline: it stores each turn's user message before it answers
 * and the assistant message before its final frame (one prepared `sqlite3` INSERT each, autocommit),
 * with the journal and synchronous settings the service uses (WAL, synchronous=NORMAL). Run as its own process.
 */
import { createServer } from 'node:http';
import { RawData, WebSocket, WebSocketServer } from 'ws';
import type { Database, Statement } from 'sqlite3';

const port = Number(process.env.PORT ?? '0');
const tokens = Number(process.env.BARE_TOKENS ?? '50');
const dbFile = process.env.BARE_DB;

interface Incoming {
  readonly type?: unknown;
  readonly content?: unknown;
  readonly agent_type?: unknown;
}

/** The message's text (self-contained: this file runs transpiled on its own, without src/). */
function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
}

type Store = (sessionId: string, seq: number, role: string, content: string) => Promise<void>;

/** Opens the durable store: the service's pragmas, one table, one prepared INSERT. */
async function openStore(file: string): Promise<Store> {
  // Required lazily: the in-memory baseline does not load sqlite3 (its memory figure stays comparable).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const sqlite3 = require('sqlite3') as typeof import('sqlite3');
  const db = await new Promise<Database>((resolve, reject) => {
    const opened: Database = new sqlite3.Database(file, (error) => (error ? reject(error) : resolve(opened)));
  });
  const exec = (sql: string): Promise<void> => new Promise((resolve, reject) => db.exec(sql, (e) => (e ? reject(e) : resolve())));
  await exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON');
  await exec(
    'CREATE TABLE IF NOT EXISTS messages (session_id TEXT NOT NULL, seq INTEGER NOT NULL, role TEXT NOT NULL, ' +
      'content TEXT, created_at INTEGER NOT NULL, PRIMARY KEY (session_id, seq))',
  );
  const insert: Statement = db.prepare('INSERT INTO messages (session_id, seq, role, content, created_at) VALUES (?, ?, ?, ?, ?)');
  return (sessionId, seq, role, content) =>
    new Promise((resolve, reject) => insert.run([sessionId, seq, role, content, Date.now()], (e: Error | null) => (e ? reject(e) : resolve())));
}

async function main(): Promise<void> {
  const store = dbFile ? await openStore(dbFile) : undefined;
  const server = createServer((req, res) => {
    const healthy = req.url === '/health';
    res.writeHead(healthy ? 200 : 404, { 'Content-Type': 'application/json' });
    res.end(healthy ? '{"status":"healthy","service":"bare-ws-baseline"}' : '{"statusCode":404}');
  });
  const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 });

  wss.on('connection', (ws: WebSocket, request) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const streaming = url.searchParams.get('protocol') === '2';
    const sessionId = decodeURIComponent(url.pathname.split('/').pop() ?? 'anonymous');
    let seq = 0;
    let messages = 0;
    let agent = 'orchestrator';
    // One turn at a time per socket, like the service's session queue.
    let tail: Promise<void> = Promise.resolve();
    const numbered = <T extends object>(frame: T): T | (T & { seq: number }) => (streaming ? { ...frame, seq: ++seq } : frame);
    if (streaming) ws.send(JSON.stringify({ type: 'status', state: 'idle', current_agent: agent, last_seq: 0, is_final: false }));

    const turn = async (frame: Incoming): Promise<void> => {
      const content = String(frame.content);
      if (store) await store(sessionId, messages++, 'user', content);
      if (typeof frame.agent_type === 'string' && frame.agent_type !== agent) {
        const meta = { from_agent: agent, to_agent: frame.agent_type, reason: 'User requested agent switch' };
        ws.send(
          JSON.stringify(
            numbered({ type: 'agent_switched', content: `Switched to ${frame.agent_type} agent`, ...meta, metadata: { ...meta, confidence: 'high' }, is_final: false }),
          ),
        );
        agent = frame.agent_type;
      }
      let text = '';
      for (let i = 0; i < tokens; i++) {
        const token = i === 0 ? `You said: ${content} ` : `t${i} `;
        text += token;
        if (streaming) ws.send(JSON.stringify(numbered({ type: 'assistant_message', token, is_final: false })));
      }
      if (store) await store(sessionId, messages++, 'assistant', text);
      ws.send(JSON.stringify(numbered({ type: 'assistant_message', content: text, token: streaming ? '' : text, is_final: true })));
    };

    ws.on('message', (data) => {
      let frame: Incoming;
      try {
        frame = JSON.parse(messageText(data)) as Incoming;
      } catch {
        ws.send(JSON.stringify({ type: 'error', content: 'Invalid JSON', error: 'Invalid JSON', is_final: true }));
        return;
      }
      if (frame.type !== 'user_message') return;
      tail = tail.then(() => turn(frame)).catch((error: Error) => {
        ws.send(JSON.stringify({ type: 'error', content: error.message, error: error.message, is_final: true }));
      });
    });
  });

  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => {
    for (const client of wss.clients) client.terminate();
    server.close(() => process.exit(0));
  });
}

void main();
