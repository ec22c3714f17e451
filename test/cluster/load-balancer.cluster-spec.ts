import { http } from '../../test/utils/http';
import { sampleValue } from '../../test/utils/prometheus';
import { TestSocket } from '../../test/utils/ws-client';
import { Cluster, ClusterInstance, startCluster } from './cluster-harness';
import { LoadBalancer, startNginx } from './nginx';

async function openSockets(instance: ClusterInstance): Promise<number> {
  const metrics = await fetch(`${instance.url}/metrics`).then((res) => res.text());
  return (sampleValue(metrics, 'codelab_open_sockets', { protocol: 'ws1' }) ?? 0) + (sampleValue(metrics, 'codelab_open_sockets', { protocol: 'ws2' }) ?? 0);
}

describe('behind nginx with deploy/nginx.conf (no sticky sessions)', () => {
  let cluster: Cluster;
  let nginx: LoadBalancer;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    cluster = await startCluster({ instances: 2 });
    nginx = await startNginx(cluster);
  });

  afterAll(async () => {
    await Promise.all(sockets.map((socket) => socket.close().catch(() => undefined)));
    await nginx?.stop();
    await cluster?.stop();
  });

  it('upgrades WebSockets through the balancer, spread over both instances, and each converses', async () => {
    for (let i = 0; i < 4; i += 1) sockets.push(await TestSocket.open(`${nginx.wsUrl}/api/v1/ws/lb-${i}`));
    for (const [i, socket] of sockets.entries()) {
      const reply = await socket.request({ type: 'user_message', content: `hello ${i}` });
      expect(reply.at(-1)).toMatchObject({ is_final: true });
    }
    expect(await openSockets(cluster.at(0))).toBeGreaterThan(0);
    expect(await openSockets(cluster.at(1))).toBeGreaterThan(0);
    const history = await http<{ message_count: number }>(nginx.url, 'GET', '/api/v1/sessions/lb-3/history');
    expect(history.body.message_count).toBe(2);
  });

  it('streams SSE through the balancer', async () => {
    const res = await fetch(`${nginx.url}/api/v1/agent/message/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: { type: 'user_message', content: 'over SSE' } }),
    });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const text = await res.text();
    expect(text).toMatch(/^data: \{"type":"session_info"/);
    expect(text).toContain('"is_final":true');
  });

  it('keeps serving REST when one instance is stopped', async () => {
    await cluster.at(0).stop();
    for (let i = 0; i < 4; i += 1) {
      const listed = await http<{ total: number }>(nginx.url, 'GET', '/api/v1/sessions');
      expect(listed.status).toBe(200);
      expect(listed.body.total).toBeGreaterThanOrEqual(5);
    }
  });
});
