import { ChildProcess, spawn } from 'node:child_process';
import { AddressInfo, createServer } from 'node:net';
import { resolve } from 'node:path';

/** Running the real service as a child process (crash tests kill it with SIGKILL), and small waits. */

const ROOT = resolve(__dirname, '..', '..');

/** The service as production runs it (`src/main.ts` through ts-node), with only the variables given here. */
export class ServiceProcess {
  private output = '';
  private exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<void>;

  private constructor(
    readonly child: ChildProcess,
    readonly baseUrl: string,
    readonly wsUrl: string,
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

  /** Starts `src/main.ts` on a SQLite file with the echo model; `env` adds or overrides variables. */
  static start(dbPath: string, port: number, env: Record<string, string> = {}): ServiceProcess {
    const inherited: NodeJS.ProcessEnv = {};
    for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
      const value = process.env[name];
      if (value !== undefined) inherited[name] = value;
    }
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
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
    return new ServiceProcess(child, `http://127.0.0.1:${port}`, `ws://127.0.0.1:${port}`);
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

export async function waitUntil(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await sleep(20);
  }
  return true;
}
