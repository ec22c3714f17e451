import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const BUILT_ENTRY = join(ROOT, 'dist', 'main.js');
/** Service variables are never inherited from the caller's environment: the test says what it runs. */
const SERVICE_VARIABLES = /^(PORT|HOST|DATABASE_URL|REDIS_URL|LLM_.*|ECHO_.*|SESSION_.*|WS_.*|AUTH_.*|RATE_LIMIT_.*|MAX_.*|SHUTDOWN_.*|LOG_.*|METRICS_.*|GRPC_.*)$/;

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/**
 * The built service (`node dist/main`, as production runs it) as a child process on 127.0.0.1 and a free
 * port. Needs `npm run build` first.
 */
export class ServiceProcess {
  private output = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output += chunk.toString();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((done) => child.once('exit', () => done()));
  }

  static async start(env: Record<string, string>, timeoutMs = 60_000): Promise<ServiceProcess> {
    if (!existsSync(BUILT_ENTRY)) throw new Error(`${BUILT_ENTRY} is missing: run npm run build first`);
    const port = await freePort();
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SERVICE_VARIABLES.test(name)));
    const child = spawn(process.execPath, [BUILT_ENTRY], {
      cwd: ROOT,
      env: { ...inherited, HOST: '127.0.0.1', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const service = new ServiceProcess(child, port);
    await service.waitHealthy(timeoutMs);
    return service;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get log(): string {
    return this.output;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it takes too long. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await this.exited;
    clearTimeout(timer);
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`the service exited with ${this.child.exitCode}:\n${this.output}`);
      try {
        if ((await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(2_000) })).ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await this.stop();
    throw new Error(`the service was not healthy within ${timeoutMs} ms:\n${this.output}`);
  }
}
