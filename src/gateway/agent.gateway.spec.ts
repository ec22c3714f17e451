import { expect } from '@jest/globals';
import type { IncomingMessage } from 'node:http';
import { WebSocket } from 'ws';
import { collect, createRuntimeModule, RuntimeTesting } from '../../test/utils/runtime-testing';
import { waitUntil } from '../../test/utils/wait-until';
import { ANONYMOUS } from '../auth/principal';
import type { ServerFrame } from '../protocol/server-frames';
import { upgradeContexts } from './agent-ws.adapter';
import { AgentGateway } from './agent.gateway';
import { InProcessTemporaryIds, TemporaryIds } from './temporary-ids';
import { RateLimiters } from '../auth/rate-limiter';
import { RedisConnections } from '../redis/redis-connections';
import { parseWsTarget } from './ws-target';

/** The parts of a `ws` socket the gateway uses: it records what is sent and whether it was closed. */
class FakeClient {
  readyState: number = WebSocket.OPEN;
  bufferedAmount = 0;
  readonly sent: ServerFrame[] = [];
  closed: { code: number; reason: string } | undefined;

  send(text: string): void {
    this.sent.push(JSON.parse(text) as ServerFrame);
  }

  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = WebSocket.CLOSED;
  }

  /** Typed as the socket the gateway expects; FakeClient has every member the gateway touches. */
  get socket(): WebSocket {
    return this as unknown as WebSocket;
  }
}

describe(AgentGateway.name, () => {
  let testing: RuntimeTesting;
  let sut: AgentGateway;

  beforeEach(async () => {
    testing = await createRuntimeModule([
      AgentGateway,
      { provide: TemporaryIds, useClass: InProcessTemporaryIds },
      RateLimiters,
      RedisConnections,
    ]);
    sut = testing.moduleRef.get(AgentGateway);
  });

  afterEach(async () => {
    await testing.moduleRef.close();
  });

  /** A socket admitted for `url` (as the upgrade gate would), connected to the gateway. */
  const connect = (url: string): FakeClient => {
    const parsed = parseWsTarget(url);
    if (!parsed.ok) throw new Error(parsed.message);
    const request = {} as IncomingMessage;
    upgradeContexts.set(request, { target: parsed.target, principal: ANONYMOUS, resumedSessionId: undefined, release: () => undefined });
    const client = new FakeClient();
    sut.handleConnection(client.socket, request);
    return client;
  };
  const reply = (client: FakeClient, frame: unknown): Promise<ServerFrame[]> =>
    collect(sut.onFrame(client.socket, typeof frame === 'string' ? frame : JSON.stringify(frame)));

  describe('compat (protocol 1)', () => {
    it('answers bad frames with one error each and keeps the socket usable', async () => {
      const client = connect('/api/v1/ws/s1');
      const bad: [unknown, string][] = [
        ['{not json', 'Invalid JSON'],
        [[1, 2], 'Invalid JSON: a frame must be a JSON object'],
        [{ content: 'no type' }, 'Message type is required'],
        [{ type: 'bogus' }, 'Unknown message type: bogus'],
        [{ type: 'user_message' }, 'Invalid user_message'],
        [{ type: 'cancel' }, 'Unknown message type: cancel'],
      ];
      for (const [frame, error] of bad) {
        const frames = await reply(client, frame);
        expect({ frame, frames }).toEqual({ frame, frames: [expect.objectContaining({ type: 'error', error: expect.stringContaining(error), is_final: true })] });
      }
      testing.model.script({ text: ['Hi ', 'there.'] });
      const ok = await reply(client, { type: 'user_message', content: 'hello', agent_type: 'ask' });
      expect(ok).toEqual([
        expect.objectContaining({ type: 'agent_switched', to_agent: 'ask' }),
        { type: 'assistant_message', content: 'Hi there.', token: 'Hi there.', is_final: true },
      ]);
      expect(ok.every((f) => f.seq === undefined)).toBe(true);
      expect(client.closed).toBeUndefined();
      expect(client.sent).toEqual([]);
    });

    it('a temporary id: a tool_result before any session is refused; the first message announces the session', async () => {
      const client = connect('/ws/new_1');
      const early = await reply(client, { type: 'tool_result', call_id: 'call_1', tool_name: 'read_file', result: 'x' });
      expect(early).toEqual([expect.objectContaining({ type: 'error', error: expect.stringContaining('this connection has no session yet') })]);
      const frames = await reply(client, { type: 'user_message', content: 'explain this', agent_type: 'ask' });
      expect(frames[0]).toEqual({ type: 'session_info', session_id: expect.stringMatching(/^[0-9a-f-]{36}$/), is_final: false });
      expect(frames.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    });
  });

  describe('protocol 2', () => {
    it('greets with status, answers bad frames and an idle cancel with errors, and streams turns to the socket', async () => {
      const client = connect('/api/v1/ws/s2?protocol=2');
      await waitUntil(() => client.sent.length > 0);
      expect(client.sent).toEqual([{ type: 'status', state: 'idle', current_agent: 'orchestrator', last_seq: 0, is_final: false }]);

      expect(await reply(client, '[]')).toEqual([expect.objectContaining({ type: 'error', error: expect.stringContaining('Invalid JSON') })]);
      expect(await reply(client, { type: 'cancel' })).toEqual([
        expect.objectContaining({ type: 'error', error: 'Nothing is running to cancel' }),
      ]);

      testing.model.script({ text: ['a', 'b'] });
      expect(await reply(client, { type: 'user_message', content: 'hello', agent_type: 'ask' })).toEqual([]);
      await waitUntil(() => client.sent.some((f) => f.type === 'assistant_message' && f.is_final));
      expect(client.sent.slice(1).map((f) => [f.type, f.seq])).toEqual([
        ['agent_switched', 1],
        ['assistant_message', 2],
        ['assistant_message', 3],
        ['assistant_message', 4],
      ]);
      expect(client.closed).toBeUndefined();
    });

    it('cancel stops the running turn and every socket of the session sees cancelled', async () => {
      const a = connect('/api/v1/ws/s3?protocol=2');
      testing.model.script({ text: ['part'], stall: true });
      const stalled = testing.model.untilStalled();
      void reply(a, { type: 'user_message', content: 'write it', agent_type: 'coder' });
      await stalled;
      const b = connect('/api/v1/ws/s3?protocol=2');
      await waitUntil(() => b.sent.length > 0);
      expect(b.sent[0]).toMatchObject({ type: 'status', state: 'running' });
      expect(await reply(b, { type: 'cancel' })).toEqual([]);
      for (const client of [a, b]) {
        await waitUntil(() => client.sent.some((f) => f.type === 'cancelled'));
        expect(client.sent.at(-1)).toMatchObject({ type: 'cancelled', content: 'part', is_final: true });
      }
    });
  });

  it('closes a socket that was not admitted by the upgrade gate (1011)', () => {
    const client = new FakeClient();
    sut.handleConnection(client.socket, {} as IncomingMessage);
    expect(client.closed).toEqual({ code: 1011, reason: 'Connection was not admitted' });
  });
});
