import { http } from '../../test/utils/http';
import { Cluster, startCluster } from './cluster-harness';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';

describe('rate limits are shared by the instances', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 2,
      env: {
        AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob`,
        AUTH_LOGIN_ENABLED: 'true',
        AUTH_LOGIN_ATTEMPTS_PER_MINUTE: '2',
        RATE_LIMIT_REST_PER_MINUTE: '3',
        RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '2',
      },
    });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('REST: after 3 requests on A, the 4th on B is refused with 429; another user is not', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const get = (url: string, key: string) => http(url, 'GET', '/api/v1/sessions', undefined, { 'x-api-key': key });
    for (let i = 0; i < 3; i++) expect((await get(a.url, KEY_ALICE)).status).toBe(200);
    const limited = await get(b.url, KEY_ALICE);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await get(b.url, KEY_BOB)).status).toBe(200);
  });

  it('WebSocket: after 2 frames on A, the 3rd on B gets the rate-limit error and is not stored', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const headers = { 'x-api-key': KEY_BOB };
    const onA = await a.socket('shared-ws-limit', { protocol: 1, headers });
    await onA.request({ type: 'user_message', content: 'one' });
    await onA.request({ type: 'user_message', content: 'two' });
    const onB = await b.socket('shared-ws-limit', { protocol: 1, headers });
    const limited = await onB.request({ type: 'user_message', content: 'three' });
    expect(limited).toEqual([expect.objectContaining({ type: 'error', is_final: true })]);
    expect(String(limited[0]?.['content'])).toMatch(/^Rate limit exceeded: at most 2 messages a minute/);
    expect(onB.closeCode).toBeUndefined();
    await Promise.all([onA.close(), onB.close()]);
    const history = await http<{ message_count: number }>(b.url, 'GET', '/api/v1/sessions/shared-ws-limit/history', undefined, headers);
    expect(history.body.message_count).toBe(4);
  });

  it('login: after 2 password attempts for a user name on A, the 3rd on B is 429', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const attempt = (url: string) =>
      fetch(`${url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', client_id: 'codelab-flutter-app', username: 'carol', password: 'wrong-password' }),
      });
    expect((await attempt(a.url)).status).toBe(401);
    expect((await attempt(a.url)).status).toBe(401);
    const limited = await attempt(b.url);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
