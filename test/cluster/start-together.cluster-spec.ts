import { http } from '../../test/utils/http';
import { Cluster, startCluster } from './cluster-harness';

describe('instances started at once on a fresh database (as docker compose starts them)', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ instances: 3, together: true });
  });

  afterAll(async () => {
    await cluster?.stop();
  });

  it('all become ready: the migrations ran once', async () => {
    for (const instance of cluster.instances) expect((await http(instance.url, 'GET', '/health/ready')).status).toBe(200);
    const created = await http<{ id: string }>(cluster.at(2).url, 'POST', '/api/v1/sessions', {});
    expect(created.status).toBe(201);
  });
});
