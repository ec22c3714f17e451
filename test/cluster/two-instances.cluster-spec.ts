import { http } from '../../test/utils/http';
import { Cluster, startCluster } from './cluster-harness';

interface SessionList {
  sessions: { id: string }[];
  total: number;
}

describe('two instances on one PostgreSQL and one Redis', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('both are healthy and ready, with database and redis up', async () => {
    for (const instance of cluster.instances) {
      const health = await http(instance.url, 'GET', '/health');
      expect(health.status).toBe(200);
      const ready = await http<{ status: string; info: Record<string, { status: string }> }>(instance.url, 'GET', '/health/ready');
      expect(ready.status).toBe(200);
      expect(ready.body.info).toMatchObject({ database: { status: 'up' }, redis: { status: 'up' } });
    }
  });

  it('lists on B a session created on A', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const created = await http<{ id: string }>(a.url, 'POST', '/api/v1/sessions', { title: 'made on A' });
    expect(created.status).toBe(201);
    const listed = await http<SessionList>(b.url, 'GET', '/api/v1/sessions');
    expect(listed.status).toBe(200);
    expect(listed.body.sessions.map((session) => session.id)).toContain(created.body.id);
    const one = await http<{ title: string }>(b.url, 'GET', `/api/v1/sessions/${created.body.id}`);
    expect(one.body.title).toBe('made on A');
  });

  it('continues on B a conversation started over a socket on A', async () => {
    const [a, b] = [cluster.at(0), cluster.at(1)];
    const id = `cluster-${Date.now()}`;
    const onA = await a.socket(id, { protocol: 1 });
    const first = await onA.request({ type: 'user_message', content: 'hello from A' });
    expect(first.at(-1)).toMatchObject({ is_final: true });
    await onA.close();
    const onB = await b.socket(id, { protocol: 1 });
    await onB.request({ type: 'user_message', content: 'hello from B' });
    await onB.close();
    const history = await http<{ messages: { role: string; content: string }[] }>(a.url, 'GET', `/api/v1/sessions/${id}/history`);
    expect(history.body.messages.filter((m) => m.role === 'user').map((m) => m.content)).toEqual(['hello from A', 'hello from B']);
  });
});
