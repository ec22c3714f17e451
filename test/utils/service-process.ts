import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { AddressInfo, createServer } from 'node:net';
import { join, resolve } from 'node:path';

/** Running the real service as a child process (crash tests kill it with SIGKILL), and small waits. */

const ROOT = resolve(__dirname, '..', '..');
const BUILT_ENTRY = join(ROOT, 'dist', 'main.js');

/** `source`: `src/main.ts` through ts-node (no build needed); `built`: `node dist/main`, as production runs it. */
export type ServiceEntry = 'source' | 'built';

/** The service as a child process, with only the variables given here (nothing leaks from the caller's environment). */
export class ServiceProcess {
  private output = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise<void>((done) =>
      child.on('exit', (code, signal) => {
        this.exit = { code, signal };
        done();
      }),
    );
  }

  /**
   * Starts the service on a SQLite file with the echo model; `env` adds or overrides variables. The
   * `built` entry needs `npm run build` first.
   */
  static start(dbPath: string, port: number, env: Record<string, string> = {}, entry: ServiceEntry = 'source'): ServiceProcess {
    if (entry === 'built' && !existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run npm run build first`);
    const inherited: NodeJS.ProcessEnv = {};
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
      const value = process.env[name];
      if (value !== undefined) inherited[name] = value;
    }
    const args = entry === 'built' ? [BUILT_ENTRY] : ['-r', 'ts-node/register/transpile-only', 'src/main.ts'];
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: {
        ...inherited,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: `sqlite:${dbPath}`,
        GRPC_PORT: 'off',
        LLM_PROVIDER: 'echo',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return new ServiceProcess(child, port);
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get log(): string {
    return this.output;
  }

  async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) throw new Error(`the service exited (${JSON.stringify(this.exit)}) before it was healthy:\n${this.output}`);
      try {
        const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) });
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`the service was not healthy within ${timeoutMs} ms:\n${this.output}`);
  }

  async kill(): Promise<void> {
    if (this.running) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it takes longer than 15 s. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** A port that was free a moment ago (the service's PORT=0 is not readable from outside). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}
