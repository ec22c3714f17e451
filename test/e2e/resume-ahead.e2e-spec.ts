import { useTestApp } from '../utils/use-test-app';

/**
 * PROTOCOL §2.5, last bullet: a `last_seq` the service never reached (the client is ahead, e.g. after
 * a crash lost the newest frames) is treated as the service's own `last_seq`.
 */
describe('Resume with a last_seq ahead of the service (e2e)', () => {
  const app = useTestApp();

  it('status tells the real last_seq and every later frame reaches the socket', async () => {
    const id = 'ahead-1';
    const first = await app.open(`/api/v1/ws/${id}?protocol=2`);
    await first.next();
    const turn = await first.request({ type: 'user_message', content: 'hello there', agent_type: 'ask' });
    const last = turn.at(-1)?.['seq'] as number;
    expect(last).toBe(turn.length);

    const ahead = await app.open(`/api/v1/ws/${id}?protocol=2&last_seq=${last + 1000}`);
    expect(await ahead.next()).toMatchObject({ type: 'status', session_id: id, last_seq: last });
    const own = await ahead.request({ type: 'user_message', content: 'after the crash' });
    expect(own.map((f) => f['seq'])).toEqual(own.map((_, i) => last + 1 + i));
    expect(own.at(-1)).toMatchObject({ type: 'assistant_message', content: 'You said: after the crash', is_final: true });

    const fromOther = await first.reply();
    expect(fromOther).toEqual(own);
    const more = await first.request({ type: 'user_message', content: 'from the other socket' });
    expect(await ahead.reply()).toEqual(more);
  });
});
