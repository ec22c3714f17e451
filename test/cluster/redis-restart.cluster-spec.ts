import { setTimeout as sleep } from 'node:timers/promises';
import { TestSocket, Frame } from '../utils/ws-client';
import { waitUntil } from '../utils/wait-until';
import { Cluster, ClusterInstance, startCluster } from './cluster-harness';
import { TestRedisServer } from './redis-server';
import { historyOf } from './stream-checks';

/**
 * A protocol-2 watcher that resumes by itself: when the service closes its socket (a gap it could not
 * fill in time), it reconnects with `last_seq` = the highest seq it saw, as a client should.
 */
class ResumingWatcher {
  readonly frames: Frame[] = [];
  private socket: TestSocket | undefined;
  private stopped = false;
  readonly done: Promise<void>;
  reconnects = 0;

  constructor(
    private readonly instance: ClusterInstance,
    private readonly sessionId: string,
  ) {
    this.done = this.run();
  }

  get lastSeq(): number {
    return this.frames.at(-1)?.['seq'] as number | undefined ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.socket?.close();
    await this.done;
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const socket = await this.instance.socket(this.sessionId, { query: `last_seq=${this.lastSeq}` });
        this.socket = socket;
        for (;;) {
          const frame = await socket.next(600_000);
          if (typeof frame['seq'] === 'number') this.frames.push(frame);
        }
      } catch {
        if (this.stopped) return;
        this.reconnects += 1;
        await sleep(200);
      }
    }
  }
}

/** PROTOCOL §8 / issue 11: Redis restarting under load loses nothing that was acknowledged. */
describe('Redis restart under load', () => {
  let redis: TestRedisServer;
  let cluster: Cluster;

  beforeAll(async () => {
    redis = await TestRedisServer.start();
    cluster = await startCluster({ instances: 2, redisUrl: redis.url, env: { ECHO_TOKEN_DELAY_MS: '5', RUN_LEASE_MS: '3000' } });
  });

  afterAll(async () => {
    await cluster?.stop();
    await redis?.kill();
  });

  it('instances reconnect, watchers resync with last_seq, and every acknowledged turn is stored and seen in order', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const ids = Array.from({ length: 8 }, (_, i) => `restart-${i}-${Date.now()}`);
    const watchers = ids.flatMap((id) => [new ResumingWatcher(a, id), new ResumingWatcher(b, id)]);
    // Compat senders, one per session and instance: a turn counts once its sender got the final answer.
    const senders = await Promise.all(ids.flatMap((id) => [a.socket(id, { protocol: 1 }), b.socket(id, { protocol: 1 })]));
    const acknowledged = new Map<string, string[]>(ids.map((id) => [id, []]));
    let sending = true;
    const load = ids.map(async (id, i) => {
      for (let turn = 0; sending; turn += 1) {
        const sender = senders[2 * i + (turn % 2)] as TestSocket;
        const content = `turn ${turn} of ${id}`;
        try {
          const reply = await sender.request({ type: 'user_message', content, agent_type: 'ask' }, 30_000);
          const last = reply.at(-1);
          if (last?.type === 'assistant_message' && last['content'] === `You said: ${content}`) acknowledged.get(id)?.push(content);
        } catch {
          await sleep(100); // a sender socket that broke: this session stops sending
          return;
        }
      }
    });

    await sleep(2_000);
    await redis.kill();
    await sleep(1_500);
    await redis.restart();
    await sleep(3_000);
    sending = false;
    await Promise.all(load);

    const total = [...acknowledged.values()].reduce((n, list) => n + list.length, 0);
    expect(total).toBeGreaterThan(ids.length * 4);
    for (const id of ids) {
      const users = (await historyOf(a.url, id)).filter((m) => m.role === 'user').map((m) => m.content);
      // Every acknowledged turn is stored, in the order it was acknowledged.
      const mine = acknowledged.get(id) ?? [];
      expect(users.filter((c) => mine.includes(c ?? ''))).toEqual(mine);
    }
    // Watchers caught up with the whole stream: every frame once, in seq order, on both instances alike.
    await waitUntil(() => watchers.every((w) => w.frames.some((f) => f['is_final'] === true)), 30_000);
    for (let i = 0; i < ids.length; i += 1) {
      const [onA, onB] = [watchers[2 * i] as ResumingWatcher, watchers[2 * i + 1] as ResumingWatcher];
      const history = await historyOf(a.url, ids[i] as string);
      const answered = history.filter((m) => m.role === 'assistant').length;
      const finals = (w: ResumingWatcher) => w.frames.filter((f) => f['is_final'] === true).length;
      await waitUntil(() => [onA, onB].every((w) => finals(w) >= answered), 30_000).catch(() => {
        const describe = (w: ResumingWatcher) => `finals ${finals(w)} last_seq ${w.lastSeq} reconnects ${w.reconnects} types ${w.frames.filter((f) => f['is_final'] === true).map((f) => f.type).join(',')}`;
        throw new Error(`${ids[i]}: ${answered} answers stored; on A ${describe(onA)}; on B ${describe(onB)}; history ${history.map((m) => m.role[0]).join('')}`);
      });
      for (const w of [onA, onB]) {
        const seqs = w.frames.map((f) => f['seq'] as number);
        expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, k) => k + 1));
      }
      const common = Math.min(onA.frames.length, onB.frames.length);
      expect(onA.frames.slice(0, common)).toEqual(onB.frames.slice(0, common));
    }
    await Promise.all(watchers.map((w) => w.stop()));
    await Promise.all(senders.map((s) => s.close()));
  });
});
