import { createTestDatabase, TestDatabase } from './test-database';
import { RunningApp, startApp } from './test-app';
import { TestSocket } from './ws-client';

export interface TestAppHandle {
  readonly running: RunningApp;
  /** Opens a socket that is closed after the test. */
  open(path: string, headers?: Record<string, string>): Promise<TestSocket>;
  /** Stops the service and starts it again on the same database. */
  restart(): Promise<void>;
}

/**
 * Registers the jest hooks of a spec file that runs the real service: one temporary database and one
 * app for the file, sockets closed after each test. `env` is read when the app starts.
 */
export function useTestApp(env: () => Record<string, string> = () => ({})): TestAppHandle {
  let db: TestDatabase | undefined;
  let running: RunningApp | undefined;
  const sockets: TestSocket[] = [];
  const app = (): RunningApp => {
    if (running === undefined) throw new Error('the app is not started yet (use it inside a test)');
    return running;
  };
  const boot = (): Promise<RunningApp> => {
    if (db === undefined) throw new Error('the database is not created yet');
    return startApp(db.url, env());
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await boot();
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await running?.close();
    await db?.drop();
  });

  return {
    get running() {
      return app();
    },
    async open(path, headers = {}) {
      const socket = await TestSocket.open(`${app().wsUrl}${path}`, headers);
      sockets.push(socket);
      return socket;
    },
    async restart() {
      await app().close();
      running = await boot();
    },
  };
}
