import { randomUUID } from 'node:crypto';
import type { TestSocket } from '../utils/ws-client';
import { Follower } from '../utils/ws-follower';
import { waitUntil } from '../utils/wait-until';
import { Cluster, ClusterInstance, startCluster } from './cluster-harness';
import { gapFreeSeqs, historyOf, untilFinals } from './stream-checks';

const RUN_LEASE_MS = 3_000;

/** PROTOCOL §8: an instance that dies mid-turn leaves no session stuck. */
describe('SIGKILL of the instance running a turn', () => {
  let cluster: Cluster;
  let a: ClusterInstance;
  let b: ClusterInstance;
  const open: TestSocket[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, env: { ECHO_TOKEN_DELAY_MS: '25', RUN_LEASE_MS: String(RUN_LEASE_MS) } });
    [a, b] = [cluster.at(0), cluster.at(1)];
  });

  afterAll(async () => {
    await Promise.all(open.splice(0).map((s) => s.close()));
    await cluster?.stop();
  });

  const follow = async (instance: ClusterInstance, sessionId: string, query?: string): Promise<Follower> => {
    const socket = await instance.socket(sessionId, query ? { query } : {});
    open.push(socket);
    const follower = new Follower(socket);
    await waitUntil(() => follower.frames.some((f) => f.type === 'status'));
    return follower;
  };

  it('B closes the dead turn within the lease (partial answer kept, `cancelled` appended, idle), serves the session, and every acknowledged turn is there', async () => {
    const id = `takeover-${randomUUID()}`;
    // Turns on A, watched from B; one more session only B watches, so that the sweeper has to close it.
    const onA = await follow(a, id);
    const onB = await follow(b, id);
    onA.socket.send({ type: 'user_message', content: 'acknowledged one', agent_type: 'ask' });
    await untilFinals(onA, 1);
    onA.socket.send({ type: 'user_message', content: 'acknowledged two' });
    await untilFinals(onA, 2);
    const long = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    onA.socket.send({ type: 'user_message', content: long });
    await waitUntil(() => onB.sequenced().filter((f) => f.type === 'assistant_message' && f['is_final'] === false).length >= 20, 20_000);

    await a.kill('SIGKILL');
    const killedAt = Date.now();

    // Nobody sends anything: the sweeper of B closes the turn once A's lease expired.
    await untilFinals(onB, 3, 4 * RUN_LEASE_MS);
    const closedAfterMs = Date.now() - killedAt;
    const cancelled = onB.sequenced().at(-1);
    expect(cancelled).toMatchObject({ type: 'cancelled', is_final: true });
    const partial = String(cancelled?.['content']);
    expect(partial.startsWith('You said: w0 w1')).toBe(true);
    // Within the lease, plus the sweeper's half-lease period and some slack for a loaded machine.
    expect(closedAfterMs).toBeLessThan(2 * RUN_LEASE_MS + 5_000);

    const fresh = await follow(b, id);
    expect(fresh.frames[0]).toMatchObject({ type: 'status', state: 'idle', current_agent: 'ask' });
    onB.socket.send({ type: 'user_message', content: 'after the crash' });
    await untilFinals(onB, 4);
    expect(onB.sequenced().at(-1)).toMatchObject({ type: 'assistant_message', content: 'You said: after the crash' });
    gapFreeSeqs(onB.sequenced());

    const history = await historyOf(b.url, id);
    expect(history.map((m) => m.content)).toEqual([
      'acknowledged one',
      'You said: acknowledged one',
      'acknowledged two',
      'You said: acknowledged two',
      long,
      partial,
      'after the crash',
      'You said: after the crash',
    ]);
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant', 'user', 'assistant']);

    // A socket resuming from 0 replays the whole stream, the frames A numbered included.
    const replay = await follow(b, id, 'last_seq=0');
    await untilFinals(replay, 4);
    expect(replay.sequenced()).toEqual(onB.sequenced());
  });

  it('a message sent to B while A lies dead waits for the lease, then runs after the closed turn', async () => {
    await a.restart();
    const id = `takeover-wait-${randomUUID()}`;
    const onA = await follow(a, id);
    onA.socket.send({ type: 'user_message', content: Array.from({ length: 400 }, (_, i) => `v${i}`).join(' '), agent_type: 'ask' });
    await waitUntil(() => onA.sequenced().filter((f) => f.type === 'assistant_message').length >= 10, 20_000);
    await a.kill('SIGKILL');
    const onB = await follow(b, id);
    expect(onB.frames[0]).toMatchObject({ type: 'status', state: 'running' });
    onB.socket.send({ type: 'user_message', content: 'next' });
    await untilFinals(onB, 2, 4 * RUN_LEASE_MS);
    const finals = onB.sequenced().filter((f) => f['is_final'] === true);
    expect(finals.map((f) => f.type)).toEqual(['cancelled', 'assistant_message']);
    expect(finals[1]).toMatchObject({ content: 'You said: next' });
    const roles = (await historyOf(b.url, id)).map((m) => m.role);
    expect(roles).toEqual(['user', 'assistant', 'user', 'assistant']);
  });
});
