import { FakeOpenAiServer } from './fake-openai-server';
import { createTestDatabase, TestDatabase } from './test-database';
import { RunningApp, startApp } from './test-app';
import { TestSocket } from './ws-client';

export interface FakeModelApp {
  /** The fake OpenAI-compatible server the service talks to (reset before every test). */
  readonly fake: FakeOpenAiServer;
  readonly running: RunningApp;
  /** Opens a socket that is closed after the test. */
  open(path: string, headers?: Record<string, string>): Promise<TestSocket>;
  /** Stops the service and starts it again on the same database. */
  restart(): Promise<void>;
}

/**
 * Registers the jest hooks for a spec file that runs the real service against a fake streaming
 * OpenAI-compatible server: one database, one fake server, one app for the file.
 */
export function useFakeModelApp(env: Record<string, string> = {}): FakeModelApp {
  let db: TestDatabase | undefined;
  let fake: FakeOpenAiServer | undefined;
  let running: RunningApp | undefined;
  const sockets: TestSocket[] = [];
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started yet (use it inside a test)`);
    return value;
  };
  const boot = () =>
    startApp(need(db, 'the database').url, {
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: need(fake, 'the fake model server').baseUrl,
      LLM_MAX_RETRIES: '0',
      LLM_TIMEOUT_MS: '5000',
      ...env,
    });

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await FakeOpenAiServer.start();
    running = await boot();
  });
  beforeEach(() => need(fake, 'the fake model server').reset());
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await running?.close();
    await fake?.close();
    await db?.drop();
  });

  return {
    get fake() {
      return need(fake, 'the fake model server');
    },
    get running() {
      return need(running, 'the app');
    },
    async open(path, headers = {}) {
      const socket = await TestSocket.open(`${need(running, 'the app').wsUrl}${path}`, headers);
      sockets.push(socket);
      return socket;
    },
    async restart() {
      await need(running, 'the app').close();
      running = await boot();
    },
  };
}
