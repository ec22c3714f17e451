import { RedisCancelRouter } from '../../src/cluster/redis-cancel-router';
import { connectTestRedis, TestRedis } from './redis-testing';

describe('RedisCancelRouter (real Redis)', () => {
  let redis: TestRedis;
  beforeEach(async () => {
    redis = await connectTestRedis();
  });
  afterEach(() => redis.close());

  /** An instance whose queue runs the given sessions; records what it was asked to stop. */
  const instance = async (running: string[]) => {
    const stopped: string[] = [];
    const router = new RedisCancelRouter(redis.asInstance());
    router.serve((id) => {
      stopped.push(id);
      return running.includes(id);
    });
    await router.start();
    return { router, stopped };
  };

  it('a cancel received by B stops the turn A runs, and B hears that something was stopped', async () => {
    const a = await instance(['s']);
    const b = await instance([]);
    expect(await b.router.cancel('s')).toBe(true);
    expect(a.stopped).toEqual(['s']);
    expect(b.stopped).toEqual(['s']);
  });

  it('answers false when nothing runs on any instance', async () => {
    const a = await instance(['other']);
    const b = await instance([]);
    expect(await b.router.cancel('s')).toBe(false);
    expect(a.stopped).toEqual(['s']);
  });

  it('stops what runs locally without waiting on anyone', async () => {
    const a = await instance(['s']);
    expect(await a.router.cancel('s')).toBe(true);
    expect(a.stopped).toEqual(['s']);
  });

  it('ignores malformed messages on its channels', async () => {
    const a = await instance(['s']);
    await redis.client().publish(redis.key('cancel'), 'not json');
    await redis.client().publish(redis.key('cancel'), JSON.stringify({ sessionId: 's' }));
    const b = await instance([]);
    expect(await b.router.cancel('s')).toBe(true);
    expect(a.stopped).toEqual(['s']);
  });
});
