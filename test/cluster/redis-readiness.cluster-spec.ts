import { http } from '../../test/utils/http';
import { TcpProxy } from '../../test/utils/tcp-proxy';
import { freePort } from '../../test/utils/service-process';
import { waitUntil } from '../../test/utils/wait-until';
import { Cluster, startCluster, TEST_REDIS_URL } from './cluster-harness';

type Readiness = { status: string; info?: Record<string, { status: string }>; error?: Record<string, { status: string; message?: string }> };

const redisTarget = new URL(TEST_REDIS_URL);
const dbPath = redisTarget.pathname;

async function readiness(url: string): Promise<{ status: number; body: Readiness }> {
  return http<Readiness>(url, 'GET', '/health/ready');
}

describe('GET /health/ready covers Redis', () => {
  describe('through a proxy that is stopped and started again', () => {
    const proxy = new TcpProxy(redisTarget.hostname, Number(redisTarget.port || 6379));
    let cluster: Cluster;

    beforeAll(async () => {
      await proxy.start();
      cluster = await startCluster({
        instances: 1,
        redisUrl: `redis://127.0.0.1:${proxy.port}${dbPath}`,
        env: { READINESS_TIMEOUT_MS: '500' },
      });
    });

    afterAll(async () => {
      await cluster?.stop();
      await proxy.stop();
    });

    it('answers 503 naming redis while Redis does not answer, and 200 once it does again', async () => {
      const a = cluster.at(0);
      expect((await readiness(a.url)).status).toBe(200);

      await proxy.stop();
      let down: { status: number; body: Readiness } | undefined;
      await waitUntil(async () => {
        down = await readiness(a.url);
        return down.status === 503;
      }, 10_000);
      expect(down?.body.error?.redis?.status).toBe('down');
      expect(down?.body.error?.database).toBeUndefined();
      // Rate limits and the socket cap fall back to this instance's memory: requests and sockets are
      // still served, not failed.
      expect((await http(a.url, 'GET', '/api/v1/sessions')).status).toBe(200);
      const socket = await a.socket('while-redis-is-down', { protocol: 1 });
      expect((await socket.request({ type: 'user_message', content: 'still here' })).at(-1)).toMatchObject({ is_final: true });
      await socket.close();

      await proxy.start();
      await waitUntil(async () => (await readiness(a.url)).status === 200, 15_000);
      expect(a.process.log).toMatch(/Redis commands connection to redis:\/\/127\.0\.0\.1:\d+\/\d+ failed/);
      expect(a.process.log).toMatch(/Redis commands connection to .* is back/);
    });
  });

  describe('pointed at a closed port', () => {
    let cluster: Cluster | undefined;

    afterAll(async () => {
      await cluster?.stop();
    });

    it('starts, stays live, and is not ready: redis down, not connected', async () => {
      const closed = await freePort();
      cluster = await startCluster({ instances: 1, redisUrl: `redis://127.0.0.1:${closed}${dbPath}`, waitFor: 'healthy' });
      const a = cluster.at(0);
      expect((await http(a.url, 'GET', '/health')).status).toBe(200);
      const ready = await readiness(a.url);
      expect(ready.status).toBe(503);
      expect(ready.body.error?.redis).toEqual({ status: 'down', message: 'not connected' });
      expect(ready.body.info?.database?.status).toBe('up');
    });
  });
});
