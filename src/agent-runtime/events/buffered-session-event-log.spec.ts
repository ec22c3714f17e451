import { sessionNotFound } from '../../common/domain.error';
import { assistantDeltaFrame } from '../../protocol/frame-builders';
import { framesOfRows } from '../../session/event-runs';
import type { StoredEvent } from '../../session/session-event-store.service';
import { BufferedSessionEventLog, EventRows } from './buffered-session-event-log';

/** The durable store in memory: one stream per session incarnation; writes can be made to fail. */
class FakeStore implements EventRows {
  rows: StoredEvent[] = [];
  streams = new Map<string, string>();
  inserts = 0;
  /** Streams whose inserts fail (transiently: the stream still exists). */
  failing = new Set<string>();
  private counter = 0;

  create(sessionId: string): string {
    const incarnation = `${sessionId}#${++this.counter}`;
    this.streams.set(sessionId, incarnation);
    return incarnation;
  }
  delete(sessionId: string): void {
    const incarnation = this.streams.get(sessionId);
    this.streams.delete(sessionId);
    this.rows = this.rows.filter((r) => r.incarnation !== incarnation);
  }
  async openStreamAt(sessionId: string): Promise<{ incarnation: string; lastSeq: number }> {
    const incarnation = this.streams.get(sessionId);
    if (!incarnation) throw sessionNotFound(sessionId);
    return { incarnation, lastSeq: await this.maxSeq(incarnation) };
  }
  streamOf(sessionId: string): Promise<string | null> {
    return Promise.resolve(this.streams.get(sessionId) ?? null);
  }
  streamExists(incarnation: string): Promise<boolean> {
    return Promise.resolve(this.has(incarnation));
  }
  insert(rows: readonly StoredEvent[]): Promise<void> {
    this.inserts += 1;
    if (rows.some((r) => !this.has(r.incarnation))) return Promise.reject(new Error('FOREIGN KEY constraint failed'));
    if (rows.some((r) => this.failing.has(r.incarnation))) return Promise.reject(new Error('SQLITE_BUSY: database is locked'));
    for (const row of rows) {
      if (this.rows.some((r) => r.incarnation === row.incarnation && r.seq === row.seq)) {
        return Promise.reject(new Error('UNIQUE constraint failed'));
      }
    }
    this.rows.push(...rows);
    return Promise.resolve();
  }
  readAfter(incarnation: string, afterSeq: number): Promise<StoredEvent[]> {
    return Promise.resolve(framesOfRows(this.rows.filter((r) => r.incarnation === incarnation && r.seq > afterSeq), afterSeq));
  }
  maxSeq(incarnation: string): Promise<number> {
    return Promise.resolve(Math.max(0, ...this.rows.filter((r) => r.incarnation === incarnation).map((r) => r.seq)));
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
  seqsOf(sessionId: string): number[] {
    return framesOfRows(this.rows.filter((r) => r.incarnation === this.streams.get(sessionId)), 0).map((r) => r.seq);
  }
  private has(incarnation: string): boolean {
    return [...this.streams.values()].includes(incarnation);
  }
}

const make = (store: FakeStore) => new BufferedSessionEventLog(store);
const ELEVEN_MINUTES = 11 * 60_000;

describe(BufferedSessionEventLog.name, () => {
  afterEach(() => jest.useRealTimers());

  it('numbers frames per session from the stored maximum, and writes them in one batch, a row per session', async () => {
    const store = new FakeStore();
    store.rows.push({ incarnation: store.create('a'), seq: 7, frame: '{}', createdAt: new Date() });
    store.create('b');
    const sut = make(store);
    await sut.prepare('a');
    await sut.prepare('b');
    const seqs = Array.from({ length: 100 }, (_, i) => sut.append(i % 2 ? 'a' : 'b', assistantDeltaFrame(`t${i}`)).seq);
    expect(seqs.filter((_, i) => i % 2 === 1).slice(0, 3)).toEqual([8, 9, 10]);
    expect(seqs.filter((_, i) => i % 2 === 0).slice(0, 3)).toEqual([1, 2, 3]);
    await sut.flush();
    expect(store.inserts).toBe(1);
    expect(store.rows).toHaveLength(3); // the stored frame, then one run of 50 frames per session
    expect(store.seqsOf('a')).toEqual([7, ...Array.from({ length: 50 }, (_, i) => 8 + i)]);
    expect(store.seqsOf('b')).toEqual(Array.from({ length: 50 }, (_, i) => 1 + i));
    expect((await make(store).readAfter('a', 30)).map((f) => f.seq)).toEqual(Array.from({ length: 27 }, (_, i) => 31 + i));
    expect(await sut.lastSeq('a')).toBe(57);
  });

  it('replays from memory, or from the store for a session it does not hold', async () => {
    const store = new FakeStore();
    store.create('s');
    const sut = make(store);
    await sut.prepare('s');
    for (let i = 0; i < 5; i++) sut.append('s', assistantDeltaFrame(`t${i}`));
    expect((await sut.readAfter('s', 2)).map((f) => f.seq)).toEqual([3, 4, 5]);
    await sut.flush();
    const fresh = make(store);
    expect((await fresh.readAfter('s', 3)).map((f) => f.seq)).toEqual([4, 5]);
    expect(await fresh.readAfter('s', 5)).toEqual([]);
    expect(await fresh.readAfter('unknown', 0)).toEqual([]);
    expect(await fresh.lastSeq('unknown')).toBe(0);
  });

  it('a batch that fails for a deleted session still stores the others, and drops only the deleted one', async () => {
    const store = new FakeStore();
    store.create('ok');
    store.create('deleted');
    const sut = make(store);
    await sut.prepare('ok');
    await sut.prepare('deleted');
    sut.append('ok', assistantDeltaFrame('x'));
    sut.append('deleted', assistantDeltaFrame('y'));
    store.delete('deleted');
    await sut.flush();
    expect(store.rows.map((r) => r.incarnation)).toEqual([store.streams.get('ok')]);
  });

  it('keeps frames the database refused for a transient reason and writes them on a later attempt', async () => {
    const store = new FakeStore();
    const incarnation = store.create('s');
    const sut = make(store);
    await sut.prepare('s');
    store.failing.add(incarnation);
    for (let i = 0; i < 3; i++) sut.append('s', assistantDeltaFrame(`t${i}`));
    await sut.flush();
    expect(store.seqsOf('s')).toEqual([]);
    store.failing.clear();
    sut.append('s', assistantDeltaFrame('t3'));
    await sut.flush();
    expect(store.seqsOf('s')).toEqual([1, 2, 3, 4]);
  });

  it('never drops the counter of a session whose turn is silent for more than 10 minutes', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = new FakeStore();
    store.create('slow');
    store.create('other');
    const sut = make(store);
    await sut.prepare('slow');
    sut.append('slow', assistantDeltaFrame('before'));
    await sut.flush();
    jest.setSystemTime(1_000_000 + ELEVEN_MINUTES);
    await sut.prepare('other'); // evicts idle tails
    expect(sut.append('slow', assistantDeltaFrame('after')).seq).toBe(2);
    sut.release('slow');
    sut.release('other');
  });

  it('never reuses a seq: a tail with unwritten frames stays in memory however long it is idle', async () => {
    jest.useFakeTimers({ now: 1_000_000, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    const store = new FakeStore();
    const incarnation = store.create('s');
    store.create('other');
    const sut = make(store);
    await sut.prepare('s');
    store.failing.add(incarnation);
    sut.append('s', assistantDeltaFrame('a'));
    sut.append('s', assistantDeltaFrame('b'));
    await sut.flush();
    sut.release('s');
    jest.setSystemTime(1_000_000 + ELEVEN_MINUTES);
    await sut.prepare('other');
    await sut.prepare('s');
    expect(sut.append('s', assistantDeltaFrame('c')).seq).toBe(3);
    store.failing.clear();
    await sut.flush();
    expect(store.seqsOf('s')).toEqual([1, 2, 3]);
  });

  it('forgets a deleted session: the next incarnation of the id starts an empty log', async () => {
    const store = new FakeStore();
    store.create('s');
    const sut = make(store);
    await sut.prepare('s');
    sut.append('s', assistantDeltaFrame('old'));
    store.delete('s');
    sut.forget('s');
    store.create('s');
    expect(await sut.readAfter('s', 0)).toEqual([]);
    expect(await sut.lastSeq('s')).toBe(0);
    await sut.prepare('s');
    expect(sut.append('s', assistantDeltaFrame('new')).seq).toBe(1);
    await sut.flush();
    expect(framesOfRows(store.rows, 0).map((r) => JSON.parse(r.frame) as { token: string }).map((f) => f.token)).toEqual(['new']);
  });

  it('refuses to number frames of a session it has not prepared', () => {
    expect(() => make(new FakeStore()).append('s', assistantDeltaFrame('x'))).toThrow('not prepared');
  });
});

describe(`${BufferedSessionEventLog.name} with several instances`, () => {
  it('continues after frames another instance numbered, and reads them from the store rather than its stale tail', async () => {
    const store = new FakeStore();
    const incarnation = store.create('s');
    const sut = make(store);
    await sut.prepare('s');
    sut.append('s', assistantDeltaFrame('mine'));
    await sut.flush();
    sut.release('s');
    // Another instance numbered 2..4 and wrote them.
    store.rows.push(...[2, 3, 4].map((seq) => ({ incarnation, seq, frame: JSON.stringify({ ...assistantDeltaFrame(`other${seq}`), seq }), createdAt: new Date() })));
    await sut.prepare('s');
    sut.advance('s', 4);
    sut.advance('s', 3); // never goes back
    expect(sut.append('s', assistantDeltaFrame('next')).seq).toBe(5);
    expect((await sut.readAfter('s', 0)).map((f) => f.seq)).toEqual([1, 2, 3, 4, 5]);
    sut.release('s');
  });
});
