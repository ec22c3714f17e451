import { expect } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { http } from '../utils/http';
import type { Frame, TestSocket } from '../utils/ws-client';
import { Follower } from '../utils/ws-follower';
import { waitUntil } from '../utils/wait-until';
import { Cluster, ClusterInstance, startCluster } from './cluster-harness';
import { gapFreeSeqs, historyOf, untilFinals } from './stream-checks';

/** Issue 11 / PROTOCOL §8: one session served by two instances, without sticky sessions. */
describe('one session, two instances (PROTOCOL §8)', () => {
  let cluster: Cluster;
  let a: ClusterInstance;
  let b: ClusterInstance;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    // A slow model (20 ms a piece), so that a turn is still running when the test acts on it.
    cluster = await startCluster({ instances: 2, env: { ECHO_TOKEN_DELAY_MS: '20' } });
    [a, b] = [cluster.at(0), cluster.at(1)];
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  /** A protocol-2 socket on `instance`, past its `status` greeting, with everything it gets recorded. */
  const follow = async (instance: ClusterInstance, sessionId: string): Promise<Follower> => {
    const socket = await instance.socket(sessionId);
    open.push(socket);
    const follower = new Follower(socket);
    await waitUntil(() => follower.frames.some((f) => f.type === 'status'));
    return follower;
  };
  const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
  const tokensOf = (frames: readonly Frame[]) => frames.filter((f) => f.type === 'assistant_message' && f['is_final'] === false).length;

  it('sockets of one session on two instances see identical frames, gap-free, whichever instance ran the turn', async () => {
    const id = `stream-${randomUUID()}`;
    const onA = await follow(a, id);
    const onB = await follow(b, id);
    onA.socket.send({ type: 'user_message', content: 'hello from A', agent_type: 'ask' });
    await untilFinals(onB, 1);
    onB.socket.send({ type: 'user_message', content: 'hello from B' });
    await untilFinals(onA, 2);
    await untilFinals(onB, 2);
    const fromA = onA.sequenced();
    expect(gapFreeSeqs(fromA)).toHaveLength(fromA.length);
    expect(onB.sequenced()).toEqual(fromA);
    expect(fromA.filter((f) => f['is_final'] === true).map((f) => f['content'])).toEqual([
      expect.stringContaining('hello from A'),
      expect.stringContaining('hello from B'),
    ]);
  });

  it('a turn started on A is cancelled from B: both sockets see `cancelled`, the partial answer is kept, status is idle', async () => {
    const id = `cancel-${randomUUID()}`;
    const onA = await follow(a, id);
    const onB = await follow(b, id);
    onA.socket.send({ type: 'user_message', content: words(300), agent_type: 'ask' });
    await waitUntil(() => tokensOf(onB.sequenced()) >= 3, 15_000);
    onB.socket.send({ type: 'cancel' });
    await untilFinals(onA, 1);
    await untilFinals(onB, 1);
    const last = onA.sequenced().at(-1);
    expect(last).toMatchObject({ type: 'cancelled', is_final: true });
    expect(onB.sequenced()).toEqual(onA.sequenced());
    const partial = String(last?.['content']);
    expect(partial.length).toBeGreaterThan(0);
    expect((await historyOf(b.url, id)).at(-1)).toMatchObject({ role: 'assistant', content: partial });
    // Nothing runs now, anywhere: a second cancel is answered with an error on the socket that sent it.
    onA.socket.send({ type: 'cancel' });
    await waitUntil(() => onA.unsequenced().some((f) => f.type === 'error'));
    expect(onA.unsequenced().find((f) => f.type === 'error')).toMatchObject({ content: 'Nothing is running to cancel' });
    const status = await follow(b, id);
    expect(status.frames[0]).toMatchObject({ type: 'status', state: 'idle' });
  });

  it('a tool call raised on A is answered on B and the turn goes on there; an approval too', async () => {
    const id = `tools-${randomUUID()}`;
    const onA = await follow(a, id);
    const onB = await follow(b, id);
    onA.socket.send({ type: 'user_message', content: '/tool read_file {"path":"src/app.ts"}', agent_type: 'ask' });
    await untilFinals(onB, 1);
    const call = onB.sequenced().at(-1);
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'read_file', requires_approval: false });
    const status = await follow(b, id);
    expect(status.frames[0]).toMatchObject({ type: 'status', state: 'awaiting_tool' });
    onB.socket.send({ type: 'tool_result', call_id: call?.['call_id'], result: 'export class App {}' });
    await untilFinals(onA, 2);
    expect(onA.sequenced().at(-1)).toMatchObject({ type: 'assistant_message', is_final: true, content: expect.stringContaining('export class App {}') });

    onB.socket.send({ type: 'user_message', content: '/tool write_file {"path":"a.md","content":"x"}', agent_type: 'coder' });
    await untilFinals(onA, 3);
    const approval = onA.sequenced().at(-1);
    expect(approval).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: true });
    onA.socket.send({ type: 'hitl_decision', call_id: approval?.['call_id'], decision: 'approve' });
    await untilFinals(onB, 4);
    expect(onB.sequenced().at(-1)).toMatchObject({ type: 'tool_call', tool_name: 'write_file', requires_approval: false });
    onB.socket.send({ type: 'tool_result', call_id: approval?.['call_id'], result: 'written' });
    await untilFinals(onA, 5);
    await untilFinals(onB, 5);
    expect(onB.sequenced()).toEqual(onA.sequenced());
    gapFreeSeqs(onA.sequenced());
    const roles = (await historyOf(a.url, id)).map((m) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'tool', 'assistant', 'user', 'assistant', 'tool', 'assistant']);
  });

  it('50 sessions with turns sent to both instances at once keep gap-free seq, one turn at a time, and exact histories', async () => {
    const sessions = Array.from({ length: 50 }, (_, i) => `many-${i}-${randomUUID()}`);
    await Promise.all(
      sessions.map(async (id, i) => {
        const onA = await follow(a, id);
        const onB = await follow(b, id);
        // Both instances get a message of the session at the same moment: the lease runs them one at a time.
        onA.socket.send({ type: 'user_message', content: `first ${i} on A`, agent_type: 'ask' });
        onB.socket.send({ type: 'user_message', content: `second ${i} on B` });
        await untilFinals(onA, 2, 60_000);
        onA.socket.send({ type: 'user_message', content: `third ${i} on A` });
        await untilFinals(onB, 3, 60_000);
        await untilFinals(onA, 3, 60_000);
        expect(onB.sequenced()).toEqual(onA.sequenced());
        gapFreeSeqs(onA.sequenced());
        const history = await historyOf(i % 2 ? a.url : b.url, id);
        expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
        const users = history.filter((m) => m.role === 'user').map((m) => m.content);
        expect(users.slice(2)).toEqual([`third ${i} on A`]);
        expect([...users.slice(0, 2)].sort()).toEqual([`first ${i} on A`, `second ${i} on B`]);
        // Each answer follows its own question: no turn interleaves with another.
        for (let m = 0; m < 6; m += 2) expect(history[m + 1]?.content).toContain(String(history[m]?.content));
      }),
    );
  });

  it('REST on either instance agrees with what the sockets saw', async () => {
    const id = `rest-${randomUUID()}`;
    const onB = await follow(b, id);
    onB.socket.send({ type: 'user_message', content: 'counted', agent_type: 'ask' });
    await untilFinals(onB, 1);
    const [fromA, fromB] = await Promise.all([a, b].map((x) => http<{ message_count: number }>(x.url, 'GET', `/api/v1/sessions/${id}`)));
    expect(fromA?.body.message_count).toBe(2);
    expect(fromB?.body).toEqual(fromA?.body);
  });
});
