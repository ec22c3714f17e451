import { createClient } from 'redis';
import { TestSocket } from '../../test/utils/ws-client';
import { waitUntil } from '../../test/utils/wait-until';
import { Cluster, ClusterInstance, flushRedis, startCluster, TEST_REDIS_URL } from './cluster-harness';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';
const LEASE_MS = 4000;

/** The sum of every instance's socket count of `user` in Redis, as admission reads it. */
async function countedSockets(user: string): Promise<number> {
  const client = createClient({ url: TEST_REDIS_URL });
  await client.connect();
  try {
    let total = 0;
    for await (const keys of client.scanIterator({ MATCH: `codelab:sockets:${user}:*` })) {
      for (const value of keys.length > 0 ? await client.mGet(keys) : []) total += Number(value ?? 0);
    }
    return total;
  } finally {
    await client.close();
  }
}

describe('MAX_SOCKETS_PER_USER is shared by the instances', () => {
  let cluster: Cluster;
  const opened: TestSocket[] = [];
  const open = async (instance: ClusterInstance, id: string, key = KEY_ALICE): Promise<TestSocket> => {
    const socket = await instance.socket(id, { protocol: 1, headers: { 'x-api-key': key } });
    opened.push(socket);
    return socket;
  };
  const refused = (instance: ClusterInstance, id: string, key = KEY_ALICE): Promise<number> =>
    TestSocket.refused(`${instance.wsUrl}/api/v1/ws/${id}`, { 'x-api-key': key });

  beforeAll(async () => {
    cluster = await startCluster({
      instances: 3,
      env: { AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob,carol-key-0123456789abcdef:carol`, MAX_SOCKETS_PER_USER: '2', RUN_LEASE_MS: String(LEASE_MS) },
    });
  });

  afterAll(async () => {
    await Promise.all(opened.map((socket) => socket.close().catch(() => undefined)));
    await cluster?.stop();
  });

  const opens = (instance: ClusterInstance, id: string, key = KEY_ALICE) => async (): Promise<boolean> => {
    try {
      await open(instance, id, key);
      return true;
    } catch {
      return false;
    }
  };

  it('refuses on B (429) a user who has the cap open on A; a socket closed on A frees a slot on B', async () => {
    const [a, b, c] = [cluster.at(0), cluster.at(1), cluster.at(2)];
    const first = await open(a, 'cap-1');
    await open(a, 'cap-2');
    expect(await refused(b, 'cap-3')).toBe(429);
    expect(await refused(c, 'cap-3')).toBe(429);
    expect(await refused(a, 'cap-3')).toBe(429);
    await open(b, 'bob-not-capped', KEY_BOB);
    await first.close();
    await waitUntil(opens(b, 'cap-3'), 5_000);
    expect(await refused(c, 'cap-4')).toBe(429);
  });

  it(`stops counting the sockets of a SIGKILLed instance within RUN_LEASE_MS (${LEASE_MS} ms)`, async () => {
    const [b, c] = [cluster.at(1), cluster.at(2)];
    for (const socket of opened.splice(0)) await socket.close();
    await waitUntil(opens(c, 'kill-1', KEY_BOB), 5_000);
    await open(c, 'kill-2', KEY_BOB);
    expect(await refused(b, 'kill-3', KEY_BOB)).toBe(429);
    await c.kill('SIGKILL');
    opened.splice(0);
    await waitUntil(opens(b, 'kill-3', KEY_BOB), LEASE_MS * 3);
    await open(b, 'kill-4', KEY_BOB);
    expect(await refused(b, 'kill-5', KEY_BOB)).toBe(429);
  });

  it('writes the counts again when Redis lost them (a restart without persistence), within RUN_LEASE_MS', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    for (const socket of opened.splice(0)) await socket.close();
    const KEY_CAROL = 'carol-key-0123456789abcdef';
    await waitUntil(opens(a, 'lost-1', KEY_CAROL), 5_000);
    await open(a, 'lost-2', KEY_CAROL);
    expect(await refused(b, 'lost-3', KEY_CAROL)).toBe(429);
    // A's count of carol and the member list, at least, are gone.
    expect(await flushRedis(TEST_REDIS_URL)).toBeGreaterThanOrEqual(2);
    await waitUntil(async () => (await countedSockets('carol')) === 2, LEASE_MS);
    expect(await refused(b, 'lost-3', KEY_CAROL)).toBe(429);
  });
});
