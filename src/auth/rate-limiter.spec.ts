import { RateLimiter } from './rate-limiter';

describe(RateLimiter.name, () => {
  it('allows a burst of the per-minute figure, then says how long to wait', () => {
    const sut = new RateLimiter(3);
    expect([sut.take('u', 0), sut.take('u', 0), sut.take('u', 0)]).toEqual([0, 0, 0]);
    expect(sut.take('u', 0)).toBe(20_000);
    expect(sut.take('other', 0)).toBe(0);
  });

  it('refills continuously', () => {
    const sut = new RateLimiter(60);
    for (let i = 0; i < 60; i++) sut.take('u', 0);
    expect(sut.take('u', 0)).toBeGreaterThan(0);
    expect(sut.take('u', 1000)).toBe(0);
    expect(sut.take('u', 1000)).toBeGreaterThan(0);
  });
});
