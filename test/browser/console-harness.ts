import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchSystemChromium } from '../utils/browser';
import { freePort, ServiceProcess } from '../utils/service-process';
import { TcpProxy } from '../utils/tcp-proxy';
import { waitUntil } from '../utils/wait-until';

/** What a console browser spec works with: the service, the proxy the browser goes through, a fresh page per test. */
export interface ConsoleHarness {
  readonly service: ServiceProcess;
  /** The service's database (for the CLI, e.g. `node dist/cli/users.js`). */
  readonly databaseUrl: string;
  readonly proxy: TcpProxy;
  readonly page: Page;
  /** Problems the page reported (uncaught errors, CSP violations, dialogs): each test ends with none. */
  readonly problems: string[];
  /** The console's URL through the proxy. */
  url(path?: string): string;
}

/**
 * Registers the hooks of a browser spec: the built service on a temporary SQLite file (slow echo model,
 * so a turn can be watched and cancelled), a TCP proxy in front of it, the system Chromium, and a new
 * browser context per test (so sessionStorage starts empty).
 */
export function useConsoleHarness(env: Record<string, string> = {}): ConsoleHarness {
  let dir: string | undefined;
  let service: ServiceProcess | undefined;
  let proxy: TcpProxy | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let page: Page | undefined;
  const problems: string[] = [];
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not ready (use it inside a test)`);
    return value;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'console-browser-'));
    // GRPC_PORT is off by default there: the console does not use gRPC.
    service = ServiceProcess.start(
      join(dir, 'console.db'),
      await freePort(),
      { ECHO_TOKEN_DELAY_MS: '40', RATE_LIMIT_REST_PER_MINUTE: '100000', RATE_LIMIT_WS_MESSAGES_PER_MINUTE: '100000', ...env },
      'built',
    );
    await service.waitHealthy(60_000);
    proxy = new TcpProxy('127.0.0.1', service.port);
    await proxy.start();
    browser = await launchSystemChromium();
  }, 90_000);

  beforeEach(async () => {
    problems.length = 0;
    context = await need(browser, 'the browser').newContext({ viewport: { width: 1200, height: 860 } });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) problems.push(`CSP: ${message.text()}`);
    });
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.type()} ${dialog.message()}`);
      void dialog.dismiss();
    });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
    page = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await proxy?.stop();
    await service?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  return {
    get service() {
      return need(service, 'the service');
    },
    get databaseUrl() {
      return `sqlite:${join(need(dir, 'the database folder'), 'console.db')}`;
    },
    get proxy() {
      return need(proxy, 'the proxy');
    },
    get page() {
      return need(page, 'the page');
    },
    problems,
    url: (path = '/console') => `http://127.0.0.1:${need(proxy, 'the proxy').port}${path}`,
  };
}

const DOCS = join(__dirname, '..', '..', 'docs');

/** With UPDATE_SCREENSHOTS=1, saves the page as docs/<name> (the README shows these). */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.UPDATE_SCREENSHOTS) await page.screenshot({ path: join(DOCS, name) });
}

/** Waits until `accept` holds for what `read` returns; a failure says what was awaited and the last value seen. */
export async function eventually<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string, timeoutMs = 15_000): Promise<T> {
  let last: { value: T } | undefined;
  try {
    await waitUntil(async () => {
      last = { value: await read() };
      return accept(last.value);
    }, timeoutMs);
  } catch {
    throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last?.value)}`);
  }
  if (!last) throw new Error(`nothing read while waiting for ${what}`);
  return last.value;
}
