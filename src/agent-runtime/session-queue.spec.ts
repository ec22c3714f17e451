import { SessionQueue } from './session-queue';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe(SessionQueue.name, () => {
  it('runs the jobs of one session one at a time, in order', async () => {
    const sut = new SessionQueue();
    const log: string[] = [];
    const first = deferred();
    const a = sut.enqueue('s', async () => {
      log.push('a:start');
      await first.promise;
      log.push('a:end');
    });
    const b = sut.enqueue('s', () => {
      log.push('b');
      return Promise.resolve();
    });
    await Promise.resolve();
    expect(log).toEqual(['a:start']);
    expect(sut.pending('s')).toBe(2);
    first.resolve();
    await Promise.all([a, b]);
    expect(log).toEqual(['a:start', 'a:end', 'b']);
  });

  it('runs different sessions in parallel and forgets idle ones', async () => {
    const sut = new SessionQueue();
    const gate = deferred();
    const log: string[] = [];
    const a = sut.enqueue('a', () => gate.promise);
    await sut.enqueue('b', () => {
      log.push('b ran while a waits');
      return Promise.resolve();
    });
    expect(log).toEqual(['b ran while a waits']);
    gate.resolve();
    await a;
    await sut.drain();
    expect(sut.pending('a')).toBe(0);
    expect(sut.pending('b')).toBe(0);
  });

  it('a failing job does not stop the next one', async () => {
    const sut = new SessionQueue();
    const failed = sut.enqueue('s', () => Promise.reject(new Error('boom')));
    const next = sut.enqueue('s', () => Promise.resolve());
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBeUndefined();
  });
});
