/**
 * The benchmark's baseline: a bare `ws` server (no framework, no database) that speaks just enough of
 * protocol 2 to answer the load generator with frames of the same shape and size as the service's:
 * `status` on connect; per `user_message` an `agent_switched` when `agent_type` changes the agent, then
 * BARE_TOKENS token frames and one final frame. Also answers `GET /health`. Run as its own process.
 */
import { createServer } from 'node:http';
import { WebSocket, WebSocketServer } from 'ws';
import { wsMessageText } from '../../src/protocol/ws-text';

const port = Number(process.env.PORT ?? '0');
const tokens = Number(process.env.BARE_TOKENS ?? '50');

interface Incoming {
  readonly type?: unknown;
  readonly content?: unknown;
  readonly agent_type?: unknown;
}

const server = createServer((req, res) => {
  const healthy = req.url === '/health';
  res.writeHead(healthy ? 200 : 404, { 'Content-Type': 'application/json' });
  res.end(healthy ? '{"status":"healthy","service":"bare-ws-baseline"}' : '{"statusCode":404}');
});
const wss = new WebSocketServer({ server, perMessageDeflate: false, maxPayload: 1024 * 1024 });

wss.on('connection', (ws: WebSocket) => {
  let seq = 0;
  let agent = 'orchestrator';
  ws.send(JSON.stringify({ type: 'status', state: 'idle', current_agent: agent, last_seq: 0, is_final: false }));
  ws.on('message', (data) => {
    let frame: Incoming;
    try {
      frame = JSON.parse(wsMessageText(data)) as Incoming;
    } catch {
      ws.send(JSON.stringify({ type: 'error', content: 'Invalid JSON', error: 'Invalid JSON', is_final: true }));
      return;
    }
    if (frame.type !== 'user_message') return;
    if (typeof frame.agent_type === 'string' && frame.agent_type !== agent) {
      const meta = { from_agent: agent, to_agent: frame.agent_type, reason: 'User requested agent switch' };
      ws.send(
        JSON.stringify({
          type: 'agent_switched',
          content: `Switched to ${frame.agent_type} agent`,
          ...meta,
          metadata: { ...meta, confidence: 'high' },
          is_final: false,
          seq: ++seq,
        }),
      );
      agent = frame.agent_type;
    }
    let text = '';
    for (let i = 0; i < tokens; i++) {
      const token = i === 0 ? `You said: ${String(frame.content)} ` : `t${i} `;
      text += token;
      ws.send(JSON.stringify({ type: 'assistant_message', token, is_final: false, seq: ++seq }));
    }
    ws.send(JSON.stringify({ type: 'assistant_message', content: text, token: '', is_final: true, seq: ++seq }));
  });
});

server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
});
