import { assistantDeltaFrame } from '../../protocol/frame-builders';
import type { StoredEvent } from '../../session/session-event-store.service';
import { BufferedSessionEventLog, EventRows } from './buffered-session-event-log';

class FakeStore implements EventRows {
  rows: StoredEvent[] = [];
  inserts = 0;
  failFor = new Set<string>();
  insert(rows: readonly StoredEvent[]): Promise<void> {
    this.inserts += 1;
    if (rows.some((r) => this.failFor.has(r.sessionId))) return Promise.reject(new Error('FOREIGN KEY constraint failed'));
    this.rows.push(...rows);
    return Promise.resolve();
  }
  readAfter(sessionId: string, afterSeq: number): Promise<StoredEvent[]> {
    return Promise.resolve(this.rows.filter((r) => r.sessionId === sessionId && r.seq > afterSeq));
  }
  maxSeq(sessionId: string): Promise<number> {
    return Promise.resolve(Math.max(0, ...this.rows.filter((r) => r.sessionId === sessionId).map((r) => r.seq)));
  }
  prune(): Promise<number> {
    return Promise.resolve(0);
  }
}

const make = (store: FakeStore) => new BufferedSessionEventLog(store);

describe(BufferedSessionEventLog.name, () => {
  it('numbers frames per session from the stored maximum, and writes them in one batch', async () => {
    const store = new FakeStore();
    store.rows.push({ sessionId: 'a', seq: 7, frame: '{}', createdAt: new Date() });
    const sut = make(store);
    await sut.prepare('a');
    await sut.prepare('b');
    const seqs = Array.from({ length: 100 }, (_, i) => sut.append(i % 2 ? 'a' : 'b', assistantDeltaFrame(`t${i}`)).seq);
    expect(seqs.filter((_, i) => i % 2 === 1).slice(0, 3)).toEqual([8, 9, 10]);
    expect(seqs.filter((_, i) => i % 2 === 0).slice(0, 3)).toEqual([1, 2, 3]);
    await sut.flush();
    expect(store.inserts).toBe(1);
    expect(store.rows).toHaveLength(101);
    expect(await sut.lastSeq('a')).toBe(57);
  });

  it('replays from memory, or from the store for a session it does not hold', async () => {
    const store = new FakeStore();
    const sut = make(store);
    await sut.prepare('s');
    for (let i = 0; i < 5; i++) sut.append('s', assistantDeltaFrame(`t${i}`));
    expect((await sut.readAfter('s', 2)).map((f) => f.seq)).toEqual([3, 4, 5]);
    await sut.flush();
    const fresh = make(store);
    expect((await fresh.readAfter('s', 3)).map((f) => f.seq)).toEqual([4, 5]);
    expect(await fresh.readAfter('s', 5)).toEqual([]);
  });

  it('a batch that fails for one session still stores the others', async () => {
    const store = new FakeStore();
    store.failFor.add('deleted');
    const sut = make(store);
    await sut.prepare('ok');
    await sut.prepare('deleted');
    sut.append('ok', assistantDeltaFrame('x'));
    sut.append('deleted', assistantDeltaFrame('y'));
    await sut.flush();
    expect(store.rows.map((r) => r.sessionId)).toEqual(['ok']);
  });

  it('refuses to number frames of a session it has not prepared', () => {
    expect(() => make(new FakeStore()).append('s', assistantDeltaFrame('x'))).toThrow('not prepared');
  });
});
