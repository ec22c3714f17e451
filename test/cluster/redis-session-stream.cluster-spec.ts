import { setTimeout as sleep } from 'node:timers/promises';
import { firstValueFrom, take, toArray } from 'rxjs';
import { BufferedSessionEventLog, EventRows } from '../../src/agent-runtime/events/buffered-session-event-log';
import { followFrames } from '../../src/agent-runtime/events/follow-frames';
import type { SequencedFrame } from '../../src/agent-runtime/events/session-event-log';
import { ClusterSessionEventLog } from '../../src/cluster/cluster-session-event-log';
import { RedisSessionFanout } from '../../src/cluster/redis-session-fanout';
import { assistantDeltaFrame } from '../../src/protocol/frame-builders';
import { framesOfRows } from '../../src/session/event-runs';
import type { StoredEvent } from '../../src/session/session-event-store.service';
import { connectTestRedis, TestRedis } from './redis-testing';

/** The shared database's event rows (one stream per session). */
class SharedRows implements EventRows {
  rows: StoredEvent[] = [];
  openStream = (id: string) => Promise.resolve(`${id}#1`);
  openStreamAt = async (id: string) => ({ incarnation: `${id}#1`, lastSeq: await this.maxSeq(`${id}#1`) });
  streamOf = (id: string) => Promise.resolve(`${id}#1`);
  streamExists = () => Promise.resolve(true);
  prune = () => Promise.resolve(0);
  insert(rows: readonly StoredEvent[]): Promise<void> {
    if (rows.some((r) => this.rows.some((x) => x.incarnation === r.incarnation && x.seq === r.seq))) {
      return Promise.reject(new Error('UNIQUE constraint failed'));
    }
    this.rows.push(...rows);
    return Promise.resolve();
  }
  /** As the store reads: rows (runs of frames) after `after`, unpacked into frames. */
  readAfter = (inc: string, after: number) =>
    Promise.resolve(framesOfRows(this.rows.filter((r) => r.incarnation === inc && r.seq > after).sort((a, b) => a.seq - b.seq), after));
  /** Every stored frame's seq, in order. */
  seqs = () => framesOfRows([...this.rows].sort((a, b) => a.seq - b.seq), 0).map((r) => r.seq);
  maxSeq = (inc: string) => Promise.resolve(Math.max(0, ...this.rows.filter((r) => r.incarnation === inc).map((r) => r.seq)));
}

/** One instance's view of the shared rows; a killed one stops writing. */
class InstanceRows extends SharedRows {
  killed = false;
  constructor(private readonly shared: SharedRows) {
    super();
  }
  override insert(rows: readonly StoredEvent[]): Promise<void> {
    return this.killed ? Promise.reject(new Error('killed')) : this.shared.insert(rows);
  }
  override readAfter = (inc: string, after: number) => this.shared.readAfter(inc, after);
  override maxSeq = (inc: string) => this.shared.maxSeq(inc);
}

describe('ClusterSessionEventLog + RedisSessionFanout (real Redis)', () => {
  let redis: TestRedis;
  let shared: SharedRows;
  const instances: BufferedSessionEventLog[] = [];
  beforeEach(async () => {
    redis = await connectTestRedis();
    shared = new SharedRows();
  });
  afterEach(async () => {
    await Promise.all(instances.splice(0).map((l) => l.onModuleDestroy()));
    await redis.close();
  });

  const instance = () => {
    const rows = new InstanceRows(shared);
    const local = new BufferedSessionEventLog(rows);
    instances.push(local);
    return { rows, log: new ClusterSessionEventLog(local, rows, redis), fanout: new RedisSessionFanout(redis.asInstance()) };
  };
  const tokens = (frames: SequencedFrame[]) => frames.map((f) => (f.type === 'assistant_message' ? f.token : f.type));

  it('numbering continues on the next instance where the last one stopped, and both read the same frames', async () => {
    const a = instance();
    const b = instance();
    await a.log.prepare('s');
    for (const t of ['a1', 'a2', 'a3']) a.log.append('s', assistantDeltaFrame(t));
    await a.log.flush(); // as the runtime does before it releases the lease
    a.log.release('s');
    await b.log.prepare('s');
    expect(b.log.append('s', assistantDeltaFrame('b4')).seq).toBe(4);
    await sleep(50); // frames of a tick reach the shared stream together, right after it
    expect(await a.log.lastSeq('s')).toBe(4);
    expect(tokens(await a.log.readAfter('s', 1))).toEqual(['a2', 'a3', 'b4']);
    await b.log.flush(); // as the runtime does before it releases the lease
    b.log.release('s');
    await a.log.prepare('s');
    expect(a.log.append('s', assistantDeltaFrame('a5')).seq).toBe(5);
    await a.log.flush(); // as the runtime does before it releases the lease
    a.log.release('s');
    await a.log.flush();
    await b.log.flush();
    expect(shared.seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it('the next holder stores the frames a dead instance numbered but never wrote', async () => {
    const a = instance();
    a.rows.killed = true;
    await a.log.prepare('s');
    for (const t of ['a1', 'a2']) a.log.append('s', assistantDeltaFrame(t));
    await a.log.flush();
    expect(shared.rows).toEqual([]);
    const b = instance();
    await b.log.prepare('s');
    await b.log.adoptUnwritten('s');
    expect(shared.seqs()).toEqual([1, 2]);
    expect(b.log.append('s', assistantDeltaFrame('b3')).seq).toBe(3);
    await b.log.flush(); // as the runtime does before it releases the lease
    b.log.release('s');
  });

  it('reads frames older than the stream keeps from the database', async () => {
    const a = instance();
    await a.log.prepare('s');
    for (let i = 1; i <= 5; i++) a.log.append('s', assistantDeltaFrame(`t${i}`));
    await a.log.flush(); // as the runtime does before it releases the lease
    a.log.release('s');
    await a.log.flush();
    await redis.client().del(redis.key('frames', 's')); // Redis restarted without persistence
    const b = instance();
    expect(tokens(await b.log.readAfter('s', 2))).toEqual(['t3', 't4', 't5']);
    expect(await b.log.lastSeq('s')).toBe(5);
  });

  it('every watcher of a session on any instance gets every frame once, in order, whoever publishes', async () => {
    const a = instance();
    const b = instance();
    // As a protocol-2 socket watches: live frames, gaps filled from the log.
    const watch = (x: ReturnType<typeof instance>) =>
      firstValueFrom(followFrames(x.fanout.watch('s'), (after) => x.log.readAfter('s', after), 0).pipe(take(6), toArray()));
    const onA = watch(a);
    const onB = watch(b);
    await sleep(100); // subscriptions established
    await a.log.prepare('s');
    for (let i = 1; i <= 3; i++) a.fanout.publish('s', a.log.append('s', assistantDeltaFrame(`a${i}`)));
    await a.log.flush(); // as the runtime does before it releases the lease
    a.log.release('s');
    await b.log.prepare('s');
    for (let i = 4; i <= 6; i++) b.fanout.publish('s', b.log.append('s', assistantDeltaFrame(`b${i}`)));
    await b.log.flush(); // as the runtime does before it releases the lease
    b.log.release('s');
    const expected = ['a1', 'a2', 'a3', 'b4', 'b5', 'b6'];
    expect(tokens(await onA)).toEqual(expected);
    expect(tokens(await onB)).toEqual(expected);
  });

  it('a watcher that joins mid-turn on another instance misses nothing (replay, live, and gap fill meet)', async () => {
    const a = instance();
    const b = instance();
    await a.log.prepare('s');
    const seen: SequencedFrame[] = [];
    let joined = false;
    for (let i = 1; i <= 40; i++) {
      a.fanout.publish('s', a.log.append('s', assistantDeltaFrame(`t${i}`)));
      if (i === 10 && !joined) {
        joined = true;
        followFrames(b.fanout.watch('s'), (after) => b.log.readAfter('s', after), 3).subscribe((f) => seen.push(f));
      }
      if (i % 5 === 0) await sleep(5);
    }
    await a.log.flush(); // as the runtime does before it releases the lease
    a.log.release('s');
    await sleep(300);
    expect(seen.map((f) => f.seq)).toEqual(Array.from({ length: 37 }, (_, i) => i + 4));
  });
});
