import { InProcessTemporaryIds, temporaryIdKey } from './temporary-ids';

describe(InProcessTemporaryIds.name, () => {
  it('resolves a temporary id to the session it claimed for 10 minutes, per owner', async () => {
    const sut = new InProcessTemporaryIds();
    expect(await sut.claim('new_1', 'alice', 'session-a', 0)).toBe('session-a');
    expect(await sut.claim('new_1', 'bob', 'session-b', 0)).toBe('session-b');
    expect(await sut.claim('new_1', null, 'session-anon', 0)).toBe('session-anon');
    expect(await sut.resolve('new_1', 'alice', 599_999)).toBe('session-a');
    expect(await sut.resolve('new_1', 'bob', 1)).toBe('session-b');
    expect(await sut.resolve('new_1', null, 1)).toBe('session-anon');
    expect(await sut.resolve('new_2', 'alice', 1)).toBeUndefined();
    expect(await sut.resolve('new_1', 'alice', 600_000)).toBeUndefined();
  });

  it('a second claim of a live temporary id gets the first claim’s session; after 10 minutes it is free again', async () => {
    const sut = new InProcessTemporaryIds();
    expect(await sut.claim('new_1', 'alice', 'session-a', 0)).toBe('session-a');
    expect(await sut.claim('new_1', 'alice', 'session-b', 1)).toBe('session-a');
    expect(await sut.claim('new_1', 'alice', 'session-c', 600_000)).toBe('session-c');
  });

  it('forgets a deleted session at once, and only that one', async () => {
    const sut = new InProcessTemporaryIds();
    await sut.claim('new_1', 'alice', 'session-a', 0);
    await sut.claim('new_2', 'alice', 'session-b', 0);
    await sut.forgetSession('session-a');
    expect(await sut.resolve('new_1', 'alice', 1)).toBeUndefined();
    expect(await sut.resolve('new_2', 'alice', 1)).toBe('session-b');
    expect(await sut.claim('new_1', 'alice', 'session-c', 2)).toBe('session-c');
    await sut.forgetSession('session-a');
    expect(await sut.resolve('new_1', 'alice', 3)).toBe('session-c');
  });
});

describe(temporaryIdKey.name, () => {
  it('keeps (owner, id) pairs apart whatever they contain', () => {
    expect(temporaryIdKey('new_1:new_2', 'x')).not.toBe(temporaryIdKey('new_2', 'x:new_1'));
    expect(temporaryIdKey('new_1', null)).not.toBe(temporaryIdKey('new_1', '~'));
    expect(temporaryIdKey('new_1', null)).not.toBe(temporaryIdKey('new_1', ''));
  });
});
