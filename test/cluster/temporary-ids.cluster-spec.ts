import { http } from '../../test/utils/http';
import { Cluster, startCluster } from './cluster-harness';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';
const ALICE = { 'x-api-key': KEY_ALICE };

describe('temporary ids are shared by the instances', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2, env: { AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` } });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  async function firstSession(temporaryId: string): Promise<string> {
    const onA = await cluster.at(0).socket(temporaryId, { protocol: 1, headers: ALICE });
    const reply = await onA.request({ type: 'user_message', content: 'first, on A' });
    await onA.close();
    expect(reply[0]).toMatchObject({ type: 'session_info', is_final: false });
    return String(reply[0]?.['session_id']);
  }

  it('a temporary id used on A resumes its session on B (socket and SSE), for its owner only', async () => {
    const b = cluster.at(1);
    const sessionId = await firstSession('new_resume_1');

    const onB = await b.socket('new_resume_1', { protocol: 2, headers: ALICE });
    expect(await onB.next()).toMatchObject({ type: 'status', session_id: sessionId });
    expect(await onB.next()).toMatchObject({ type: 'session_info', session_id: sessionId });
    await onB.close();

    const sse = await fetch(`${b.url}/api/v1/agent/message/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...ALICE },
      body: JSON.stringify({ session_id: 'new_resume_1', message: { type: 'user_message', content: 'second, over SSE on B' } }),
    });
    expect(await sse.text()).toContain(`"session_id":"${sessionId}"`);
    const history = await http<{ messages: { role: string; content: string }[] }>(
      b.url,
      'GET',
      `/api/v1/sessions/${sessionId}/history`,
      undefined,
      ALICE,
    );
    expect(history.body.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['first, on A', 'second, over SSE on B']);

    const bobs = await b.socket('new_resume_1', { protocol: 2, headers: { 'x-api-key': KEY_BOB } });
    const status = await bobs.next();
    expect(status).toMatchObject({ type: 'status', state: 'idle' });
    expect(status['session_id']).toBeUndefined();
    await bobs.close();
  });

  it('two sockets on A and B sending the first message of one temporary id at once land in one session', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const [onA, onB] = await Promise.all([
      a.socket('new_race_1', { protocol: 1, headers: ALICE }),
      b.socket('new_race_1', { protocol: 1, headers: ALICE }),
    ]);
    const [replyA, replyB] = await Promise.all([
      onA.request({ type: 'user_message', content: 'race A' }),
      onB.request({ type: 'user_message', content: 'race B' }),
    ]);
    await Promise.all([onA.close(), onB.close()]);
    expect(replyA[0]).toMatchObject({ type: 'session_info' });
    expect(replyB[0]).toMatchObject({ type: 'session_info' });
    expect(replyA[0]?.['session_id']).toBe(replyB[0]?.['session_id']);
    const sessions = await http<{ total: number }>(a.url, 'GET', '/api/v1/sessions', undefined, ALICE);
    expect(sessions.body.total).toBe(2);
  });

  it('a session deleted on B is forgotten by its temporary id on A: the next message starts a new session', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const sessionId = await firstSession('new_deleted_1');
    expect((await http(b.url, 'DELETE', `/api/v1/sessions/${sessionId}`, undefined, ALICE)).status).toBe(204);
    const again = await a.socket('new_deleted_1', { protocol: 1, headers: ALICE });
    const reply = await again.request({ type: 'user_message', content: 'after deletion' });
    await again.close();
    expect(reply[0]).toMatchObject({ type: 'session_info' });
    expect(reply[0]?.['session_id']).not.toBe(sessionId);
  });
});
