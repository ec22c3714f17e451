import type { Repository } from 'typeorm';
import type { SessionEntity } from './entities/session.entity';
import { SessionTotals } from './session-totals';

/** A `countBy` whose answers the test releases one by one. */
class SlowCounts {
  calls = 0;
  private readonly waiting: ((value: number) => void)[] = [];
  countBy = (): Promise<number> => {
    this.calls += 1;
    return new Promise<number>((resolve) => this.waiting.push(resolve));
  };
  answer(value: number): void {
    this.waiting.shift()?.(value);
  }
}

describe(SessionTotals.name, () => {
  it('caches a count, and forgets it when sessions are created or deleted', async () => {
    const counts = new SlowCounts();
    const sut = new SessionTotals(counts as unknown as Repository<SessionEntity>);
    const first = sut.of(null);
    counts.answer(3);
    expect(await first).toBe(3);
    expect(await sut.of(null)).toBe(3);
    expect(counts.calls).toBe(1);
    sut.forget();
    const again = sut.of(null);
    counts.answer(2);
    expect(await again).toBe(2);
  });

  it('does not cache a count that a delete overtook', async () => {
    const counts = new SlowCounts();
    const sut = new SessionTotals(counts as unknown as Repository<SessionEntity>);
    const racing = sut.of('alice');
    sut.forget(); // a session was deleted while the count ran
    counts.answer(5);
    expect(await racing).toBe(5);
    const next = sut.of('alice');
    expect(counts.calls).toBe(2);
    counts.answer(4);
    expect(await next).toBe(4);
  });
});
