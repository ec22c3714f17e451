import { ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../utils/service-process';
import type { Cluster } from './cluster-harness';

const CONFIG = resolve(__dirname, '..', '..', 'deploy', 'nginx.conf');

/** nginx (Debian's, on PATH) with deploy/nginx.conf in front of a cluster's instances. */
export interface LoadBalancer {
  readonly url: string;
  readonly wsUrl: string;
  stop(): Promise<void>;
}

/**
 * Runs deploy/nginx.conf as it is, but for three lines: the upstream servers become the cluster's
 * instances (instead of app1/app2), the listen port a free one, and the pid file a private one.
 */
export async function startNginx(cluster: Cluster): Promise<LoadBalancer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'codelab-nginx-'));
  const original = readFileSync(CONFIG, 'utf8');
  const servers = cluster.instances.map((instance) => `    server ${new URL(instance.url).host} max_fails=1 fail_timeout=5s;`).join('\n');
  const config = original
    .replace(/^ {4}server app1:8000[^\n]*\n {4}server app2:8000[^\n]*$/m, servers)
    .replace(/^ {4}listen 8080;$/m, `    listen 127.0.0.1:${port};`)
    .replace(/^pid \/tmp\/nginx\.pid;$/m, `pid ${join(dir, 'nginx.pid')};`);
  if (config.includes('app1:8000') || !config.includes(`listen 127.0.0.1:${port};`) || !config.includes(dir)) {
    throw new Error('deploy/nginx.conf no longer has the lines startNginx rewrites (upstream app1/app2, listen 8080, pid)');
  }
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, config);
  // A file, not a pipe: nginx opens /dev/stdout for its access log, which fails on Node's socket pairs.
  const logFile = join(dir, 'output.log');
  const log = openSync(logFile, 'w');
  const child: ChildProcess = spawn('nginx', ['-p', dir, '-c', file, '-g', 'daemon off;'], { stdio: ['ignore', log, log] });
  closeSync(log);
  const output = (): string => readFileSync(logFile, 'utf8').slice(-10_000);
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await fetch(`${url}/health`).catch(() => undefined);
    if (res?.status === 200) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const seen = output();
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`nginx did not serve /health:\n${seen}`);
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  return {
    url,
    wsUrl: `ws://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null) child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
