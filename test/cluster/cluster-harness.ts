import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { freePort, ServiceEntry, ServiceProcess } from '../utils/service-process';
import { createPostgresDatabase } from '../utils/test-database';
import { TestSocket } from '../utils/ws-client';

/**
 * `npm run test:cluster`: N real service processes on ONE fresh PostgreSQL database and ONE Redis db
 * index (TEST_REDIS_URL, default redis://127.0.0.1:6379/11; its `codelab:*` keys are deleted at start and
 * at stop), each on its own port.
 * TEST_POSTGRES_URL names the admin database the fresh one is created from (as in the pg suite).
 */

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/11';

export interface ClusterOptions {
  /** How many instances (default 2). */
  readonly instances?: number;
  /** Extra variables for every instance (e.g. RUN_LEASE_MS, MAX_SOCKETS_PER_USER). */
  readonly env?: Readonly<Record<string, string>>;
  /** Variables for one instance, by index, on top of `env`. */
  readonly envOf?: (index: number) => Readonly<Record<string, string>>;
  /** Override REDIS_URL of the instances (e.g. a TcpProxy in front of Redis); the db is still TEST_REDIS_URL's. */
  readonly redisUrl?: string;
  /** `source` (ts-node, default) or `built` (`node dist/main`). */
  readonly entry?: ServiceEntry;
  /** Start every instance at once on the fresh database (as docker compose does) instead of the first one first. */
  readonly together?: boolean;
  /** Wait until every instance is `ready` (default: `/health/ready` 200) or only `healthy` (`/health` 200). */
  readonly waitFor?: 'ready' | 'healthy';
}

export interface ClusterInstance {
  readonly index: number;
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** `ws://127.0.0.1:<port>` */
  readonly wsUrl: string;
  readonly pid: number | undefined;
  readonly process: ServiceProcess;
  /** Sends `signal` (default SIGKILL) and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Graceful stop: SIGTERM, SIGKILL after 15 s. */
  stop(): Promise<void>;
  /** Starts a stopped or killed instance again on the same port and database; waits until ready. */
  restart(): Promise<ClusterInstance>;
  /** A protocol-1 (`protocol: 1`) or protocol-2 socket to `/api/v1/ws/<sessionId>` of this instance. */
  socket(sessionId: string, options?: { protocol?: 1 | 2; headers?: Record<string, string>; query?: string }): Promise<TestSocket>;
}

export interface Cluster {
  readonly instances: ClusterInstance[];
  readonly redisUrl: string;
  readonly databaseUrl: string;
  /** `instances[index]`, or a thrown error naming the index. */
  at(index: number): ClusterInstance;
  /** Stops every instance (SIGTERM), drops the database and flushes the Redis db. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const count = options.instances ?? 2;
  await flushRedis(TEST_REDIS_URL);
  const database = await createPostgresDatabase('codelab_cluster');
  const scratch = mkdtempSync(join(tmpdir(), 'codelab-cluster-'));
  const instances: ClusterInstance[] = [];
  const stopAll = async (): Promise<void> => {
    await Promise.all(instances.map((instance) => instance.stop()));
    await database.drop();
    await flushRedis(TEST_REDIS_URL);
    rmSync(scratch, { recursive: true, force: true });
  };
  try {
    for (let index = 0; index < count; index += 1) {
      const port = await freePort();
      const env = {
        DATABASE_URL: database.url,
        REDIS_URL: options.redisUrl ?? TEST_REDIS_URL,
        ...(options.env ?? {}),
        ...(options.envOf?.(index) ?? {}),
      };
      instances.push(makeInstance(index, port, env, options.entry ?? 'source', scratch));
    }
    // By default the first instance migrates the fresh database and the others start once it is ready.
    const wait = options.waitFor === 'healthy' ? (service: ServiceProcess) => service.waitHealthy(READY_TIMEOUT_MS) : waitReady;
    const [first, ...rest] = instances;
    if (first && options.together !== true) await wait(first.process);
    await Promise.all((options.together === true ? instances : rest).map((instance) => wait(instance.process)));
  } catch (error) {
    await stopAll();
    throw error;
  }
  const at = (index: number): ClusterInstance => {
    const instance = instances[index];
    if (instance === undefined) throw new Error(`the cluster has no instance ${index} (it has ${instances.length})`);
    return instance;
  };
  return { instances, redisUrl: TEST_REDIS_URL, databaseUrl: database.url, at, stop: stopAll };
}

function makeInstance(index: number, port: number, env: Record<string, string>, entry: ServiceEntry, scratch: string): ClusterInstance {
  // ServiceProcess.start wants a SQLite path; DATABASE_URL in `env` overrides it.
  let current = ServiceProcess.start(join(scratch, `unused-${index}.db`), port, env, entry);
  const instance: ClusterInstance = {
    index,
    url: current.baseUrl,
    wsUrl: current.wsUrl,
    get pid() {
      return current.child.pid;
    },
    get process() {
      return current;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (current.running) current.child.kill(signal);
      await current.exited;
    },
    stop: () => current.stop(),
    async restart() {
      if (current.running) throw new Error(`instance ${index} is still running`);
      current = ServiceProcess.start(join(scratch, `unused-${index}.db`), port, env, entry);
      await waitReady(current);
      return instance;
    },
    socket(sessionId, socketOptions = {}) {
      const query = new URLSearchParams(socketOptions.query ?? '');
      if ((socketOptions.protocol ?? 2) === 2) query.set('protocol', '2');
      const search = query.toString();
      return TestSocket.open(`${current.wsUrl}/api/v1/ws/${sessionId}${search ? `?${search}` : ''}`, socketOptions.headers ?? {});
    },
  };
  return instance;
}

/** Healthy, then ready (`/health/ready` 200: database and Redis answer). */
export async function waitReady(service: ServiceProcess, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await service.waitHealthy(timeoutMs);
  for (;;) {
    const res = await fetch(`${service.baseUrl}/health/ready`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
    if (res?.status === 200) return;
    if (!service.running || Date.now() > deadline) {
      throw new Error(`the service was not ready within ${timeoutMs} ms (last status ${res?.status ?? 'none'}):\n${service.log}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * Deletes the service's keys (`codelab:*`) from the Redis db that `url` names, and nothing else: not
 * other dbs, not the claim that .ci/run keeps in that db. Resolves with how many keys it deleted.
 */
export async function flushRedis(url: string): Promise<number> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  let deleted = 0;
  try {
    for await (const keys of client.scanIterator({ MATCH: 'codelab:*', COUNT: 1000 })) {
      if (keys.length > 0) deleted += await client.del(keys);
    }
    return deleted;
  } finally {
    await client.close();
  }
}
