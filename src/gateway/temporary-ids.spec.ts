import { TemporaryIds } from './temporary-ids';

describe(TemporaryIds.name, () => {
  it('resolves a temporary id to its session for 10 minutes, per owner', () => {
    const sut = new TemporaryIds();
    sut.remember('new_1', 'alice', 'session-a', 0);
    sut.remember('new_1', 'bob', 'session-b', 0);
    sut.remember('new_1', null, 'session-anon', 0);
    expect(sut.resolve('new_1', 'alice', 599_999)).toBe('session-a');
    expect(sut.resolve('new_1', 'bob', 1)).toBe('session-b');
    expect(sut.resolve('new_1', null, 1)).toBe('session-anon');
    expect(sut.resolve('new_2', 'alice', 1)).toBeUndefined();
    expect(sut.resolve('new_1', 'alice', 600_000)).toBeUndefined();
  });

  it('forgets a deleted session at once, and only that one', () => {
    const sut = new TemporaryIds();
    sut.remember('new_1', 'alice', 'session-a', 0);
    sut.remember('new_2', 'alice', 'session-b', 0);
    sut.forgetSession('session-a');
    expect(sut.resolve('new_1', 'alice', 1)).toBeUndefined();
    expect(sut.resolve('new_2', 'alice', 1)).toBe('session-b');
    sut.remember('new_2', 'alice', 'session-c', 2);
    sut.forgetSession('session-b');
    expect(sut.resolve('new_2', 'alice', 3)).toBe('session-c');
  });
});
