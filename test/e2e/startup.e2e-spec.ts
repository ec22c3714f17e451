import { ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DataSource } from 'typeorm';
import { startApp } from '../utils/test-app';
import { freePort, ServiceProcess } from '../utils/service-process';
import { TestSocket } from '../utils/ws-client';

const ROOT = resolve(__dirname, '..', '..');
// Every variable the service reads, so that the caller's environment cannot leak into the child.
const CONFIG_VARIABLES = /^(PORT|GRPC_PORT|HOST|DATABASE_URL|SQLITE_.*|LLM_.*|ECHO_.*|SESSION_.*|WS_.*|AUTH_.*|RATE_LIMIT_.*|MAX_.*|SHUTDOWN_.*)$/;
/** Loading the whole app through ts-node takes seconds, more while other suites run in parallel. */
const CHILD_TIMEOUT_MS = 90_000;

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** Runs `src/main.ts` as production would (through ts-node), with only the given service variables set. */
function startService(env: Record<string, string>): { child: ChildProcess; exit: Promise<Exit>; output: () => string } {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !CONFIG_VARIABLES.test(name)));
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<Exit>((resolveExit) =>
    child.on('exit', (code, signal) => resolveExit({ code, signal, output })),
  );
  return { child, exit, output: () => output };
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

describe('Start-up (e2e)', () => {
  it('refuses to start with bad configuration, naming every bad variable, exit code 1', async () => {
    const { exit } = startService({ PORT: 'eighty', LLM_PROVIDER: 'gpt', DATABASE_URL: 'sqlite::memory:', SQLITE_SYNCHRONOUS: 'OFF' });
    const { code, output } = await exit;

    expect(code).toBe(1);
    expect(output).toContain('Invalid configuration');
    expect(output).toContain('PORT');
    expect(output).toContain('"eighty"');
    expect(output).toContain('LLM_PROVIDER');
    expect(output).toContain('"gpt"');
    expect(output).toContain('SQLITE_SYNCHRONOUS must be one of NORMAL, FULL (got "OFF")');
    expect(output).not.toContain('listening');
  }, CHILD_TIMEOUT_MS);

  it('starts with good configuration and stops cleanly on SIGTERM', async () => {
    // GRPC_PORT=0: a free port, so that parallel runs never compete for 50051.
    const { child, exit, output } = startService({ PORT: '0', GRPC_PORT: '0', HOST: '127.0.0.1', DATABASE_URL: 'sqlite::memory:' });
    try {
      expect(await waitFor(() => output().includes('listening on'), CHILD_TIMEOUT_MS - 10_000)).toBe(true);
      expect(output()).toMatch(/gRPC AgentService on 127\.0\.0\.1:\d+/);
      expect(output()).not.toContain('Invalid configuration');
    } finally {
      child.kill('SIGTERM');
    }
    const { code, signal } = await exit;
    expect(code === 0 || signal === 'SIGTERM').toBe(true);
  }, CHILD_TIMEOUT_MS);

  it.each([
    [{}, 1],
    [{ SQLITE_SYNCHRONOUS: 'NORMAL' }, 1],
    [{ SQLITE_SYNCHRONOUS: 'FULL' }, 2],
  ])('SQLite runs with the synchronous setting asked for: %j reads %i', async (env, expected) => {
    const dir = mkdtempSync(join(tmpdir(), 'codelab-sync-'));
    const running = await startApp(`sqlite:${join(dir, 'sync.db')}`, env);
    try {
      expect(await running.app.get(DataSource).query('PRAGMA synchronous')).toEqual([{ synchronous: expected }]);
    } finally {
      await running.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a graceful stop (SIGTERM) checkpoints the SQLite WAL, even while another process has the file open: the -wal file is empty, the main file holds every turn', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'codelab-wal-'));
    const dbPath = join(dir, 'wal.db');
    const service = ServiceProcess.start(dbPath, await freePort());
    // Another connection to the file (a backup tool, the users CLI): SQLite's own checkpoint-on-close
    // only runs when the last connection closes, so only the service's explicit checkpoint empties the WAL.
    let other: DataSource | undefined;
    try {
      await service.waitHealthy(CHILD_TIMEOUT_MS - 15_000);
      const socket = await TestSocket.open(`${service.wsUrl}/ws/wal-session`);
      expect((await socket.request({ type: 'user_message', content: 'hello there' })).at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
      await socket.close();
      expect(statSync(`${dbPath}-wal`).size).toBeGreaterThan(0);
      other = new DataSource({ type: 'sqlite', database: dbPath });
      await other.initialize();
      await other.query('SELECT 1');
    } finally {
      await service.stop();
    }
    try {
      expect(service.log).not.toMatch(/ERROR/);
      expect(existsSync(`${dbPath}-wal`) ? statSync(`${dbPath}-wal`).size : 0).toBe(0);
      await other?.destroy();
      other = undefined;
      // The main file alone (no -wal beside it) holds the turn and its frames.
      const copy = join(dir, 'copy.db');
      copyFileSync(dbPath, copy);
      const reader = new DataSource({ type: 'sqlite', database: copy });
      await reader.initialize();
      try {
        expect(await reader.query("SELECT role FROM messages WHERE session_id = 'wal-session' ORDER BY seq")).toEqual([{ role: 'user' }, { role: 'assistant' }]);
        // Every frame of the turn (status aside): the event log's rows hold runs of frames, keyed by the last seq.
        const [events] = await reader.query<{ top: number }[]>('SELECT MAX(seq) AS top FROM session_events');
        expect(events?.top).toBeGreaterThan(2);
      } finally {
        await reader.destroy();
      }
    } finally {
      await other?.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  }, CHILD_TIMEOUT_MS);
});
