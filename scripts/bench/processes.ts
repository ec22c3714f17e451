/** Child processes of the benchmark: the service, the bare baseline, and the build. */
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readdirSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import * as ts from 'typescript';
import { sleep } from './stats';

export const ROOT = join(__dirname, '..', '..');
const HEALTH_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ProcessSpec {
  readonly name: string;
  /** Arguments to `node`. */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly port: number;
  readonly logFile: string;
}

const running = new Set<ServerProcess>();

/** A server child process with an HTTP `GET /health`; stdout and stderr go to a log file. */
export class ServerProcess {
  private readonly child: ChildProcess;
  private readonly exited: Promise<void>;
  private exitCode: number | null | undefined;
  readonly spawnedAt: number;
  /** Milliseconds from spawn to the first healthy answer, once known. */
  readyMs: number | undefined;

  constructor(readonly spec: ProcessSpec) {
    const log = openSync(spec.logFile, 'a');
    this.spawnedAt = performance.now();
    this.child = spawn(process.execPath, [...spec.args], {
      cwd: ROOT,
      // gRPC off unless a spec asks: the benchmarks measure HTTP and WebSockets, and several services
      // must not compete for GRPC_PORT's default 50051.
      env: { ...inheritedEnv(), GRPC_PORT: 'off', ...spec.env, PORT: String(spec.port), HOST: '127.0.0.1' },
      stdio: ['ignore', log, log],
    });
    closeSync(log);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        this.exitCode = code;
        running.delete(this);
        resolve();
      });
      this.child.once('error', () => resolve());
    });
    running.add(this);
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.spec.name} did not start`);
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitCode === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Polls `GET /health` until it answers 200; returns the milliseconds since spawn. */
  async waitHealthy(timeoutMs = HEALTH_TIMEOUT_MS): Promise<number> {
    const deadline = this.spawnedAt + timeoutMs;
    while (performance.now() < deadline) {
      if (!this.alive) throw new Error(`${this.spec.name} exited before it was healthy (${this.exitText()}):\n${this.logTail()}`);
      if (await healthy(this.spec.port)) {
        this.readyMs ??= performance.now() - this.spawnedAt;
        return this.readyMs;
      }
      await sleep(5);
    }
    throw new Error(`${this.spec.name} not healthy after ${timeoutMs / 1000} s:\n${this.logTail()}`);
  }

  /** Resident set size from /proc/<pid>/status (VmRSS). */
  rssBytes(): number {
    if (!this.alive) throw new Error(`${this.spec.name} is not running (${this.exitText()}):\n${this.logTail()}`);
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
    if (!match?.[1]) throw new Error(`no VmRSS for ${this.spec.name}`);
    return Number(match[1]) * 1024;
  }

  /** CPU time (user + system, all threads) used so far, in seconds, from /proc/<pid>/stat. */
  cpuSeconds(): number {
    const stat = readFileSync(`/proc/${this.pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces) start at state, field 3; utime/stime are 14/15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / clockTicks();
  }

  private exitText(): string {
    return `exit code ${String(this.child.exitCode)}, signal ${String(this.child.signalCode)}`;
  }

  /**
   * Asks the process for a full GC (SIGWINCH, see child-hook.ts) and returns the heap figures it wrote
   * afterwards (BENCH_MEMORY_FILE), or null when it wrote none within `timeoutMs` (a busy machine).
   * The old file is removed first, so a stale report is never read.
   */
  async collectMemory(timeoutMs = 15_000): Promise<NodeJS.MemoryUsage | null> {
    const file = this.spec.env.BENCH_MEMORY_FILE;
    if (!file) return null;
    rmSync(file, { force: true });
    this.signal('SIGWINCH');
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if (existsSync(file)) {
        try {
          return JSON.parse(readFileSync(file, 'utf8')) as NodeJS.MemoryUsage;
        } catch {
          // Caught mid-write: read it again.
        }
      }
      await sleep(20);
    }
    return null;
  }

  signal(name: NodeJS.Signals): void {
    if (this.alive) this.child.kill(name);
  }

  /** SIGTERM, then SIGKILL if it has not exited after a while. */
  async stop(): Promise<void> {
    if (!this.alive) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await this.exited;
    clearTimeout(timer);
  }

  logTail(lines = 30): string {
    try {
      return readFileSync(this.spec.logFile, 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }
}

/** Service settings from the caller's environment would change what is measured (or refuse the load): dropped. */
const SERVICE_SETTING = /^(AUTH_|RATE_LIMIT_|MAX_|LLM_|ECHO_|WS_|SESSION_|SHUTDOWN_|DATABASE_URL$|PORT$|GRPC_PORT$|HOST$)/;

function inheritedEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_SETTING.test(name)));
}

let ticks: number | undefined;
function clockTicks(): number {
  if (ticks === undefined) {
    const out = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim() ?? '';
    ticks = /^\d+$/.test(out) ? Number(out) : 100;
  }
  return ticks;
}

/** Stops every child still running (on success, failure or Ctrl-C). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((p) => p.stop()));
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = get({ host: '127.0.0.1', port, path: '/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

/**
 * Transpiles one of the bench's own TypeScript files to plain JavaScript in `outDir`, so that helper
 * processes run on bare `node` (no ts-node in their memory or start-up). `ws` is found through NODE_PATH.
 */
export function transpileHelper(name: string, outDir: string): string {
  const source = readFileSync(join(__dirname, `${name}.ts`), 'utf8');
  const output = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
  });
  const file = join(outDir, `${name}.js`);
  // The helper runs from outDir: point its imports of the service's code at the build in dist/.
  const text = output.outputText.replace(/require\("\.\.\/\.\.\/src\//g, `require(${JSON.stringify(`${join(ROOT, 'dist')}/`).slice(0, -1)}`);
  writeFileSync(file, text);
  return file;
}

export const HELPER_ENV = { NODE_PATH: join(ROOT, 'node_modules') };

/**
 * The settings every benchmarked service runs with: the offline echo model answering in `tokens` pieces,
 * no TTL job, production mode, and the per-user limits lifted (one client process plays thousands of
 * users, and the limits would refuse the load).
 */
export function benchServiceEnv(tokens: number): Record<string, string> {
  return {
    LLM_PROVIDER: 'echo',
    ECHO_TOKENS: String(tokens),
    SESSION_TTL_HOURS: '0',
    NODE_ENV: 'production',
    RATE_LIMIT_REST_PER_MINUTE: '1000000',
    RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '1000000',
    MAX_SOCKETS_PER_USER: '1000000',
  };
}

/** Runs `npm run build` when dist/main.js is missing or older than any file in src/. Returns whether it built. */
export function ensureBuilt(): boolean {
  const main = join(ROOT, 'dist', 'main.js');
  if (existsSync(main) && statSync(main).mtimeMs >= newestMtime(join(ROOT, 'src'))) return false;
  // `nest build` deletes dist/, but tsc's incremental cache (*.tsbuildinfo, git-ignored) then makes it
  // emit only the files changed since the last build: remove the cache so that dist/ is complete.
  for (const f of readdirSync(ROOT)) if (f.endsWith('.tsbuildinfo')) unlinkSync(join(ROOT, f));
  build();
  if (!existsSync(main)) throw new Error('npm run build did not produce dist/main.js');
  return true;
}

function build(): void {
  process.stdout.write('building the service (npm run build)…\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const result = spawnSync(npm, ['run', 'build'], { cwd: ROOT, stdio: 'inherit', timeout: 300_000 });
  if (result.status !== 0) throw new Error(`npm run build failed (exit ${String(result.status)})`);
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs;
    if (t > newest) newest = t;
  }
  return newest;
}

/** The soft limit on open files of this process and its children (`ulimit -n`), or Infinity. */
export function openFileLimit(): number {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const value = result.stdout.trim();
  return /^\d+$/.test(value) ? Number(value) : Number.POSITIVE_INFINITY;
}
