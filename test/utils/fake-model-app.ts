import { FakeOpenAiServer } from './fake-openai-server';
import { TestAppHandle, useTestApp } from './use-test-app';

export interface FakeModelApp extends TestAppHandle {
  /** The fake OpenAI-compatible server the service talks to (reset before every test). */
  readonly fake: FakeOpenAiServer;
}

/**
 * Like {@link useTestApp}, with the service configured for a fake streaming OpenAI-compatible server
 * that the spec scripts.
 */
export function useFakeModelApp(env: Record<string, string> = {}): FakeModelApp {
  let fake: FakeOpenAiServer | undefined;
  const server = (): FakeOpenAiServer => {
    if (fake === undefined) throw new Error('the fake model server is not started yet (use it inside a test)');
    return fake;
  };
  beforeAll(async () => {
    fake = await FakeOpenAiServer.start();
  });
  const app = useTestApp(() => ({
    LLM_PROVIDER: 'openai',
    LLM_BASE_URL: server().baseUrl,
    LLM_MAX_RETRIES: '0',
    LLM_TIMEOUT_MS: '5000',
    ...env,
  }));
  beforeEach(() => server().reset());
  afterAll(async () => {
    await fake?.close();
  });

  return {
    get fake() {
      return server();
    },
    get running() {
      return app.running;
    },
    open: (path, headers) => app.open(path, headers),
    restart: () => app.restart(),
  };
}
