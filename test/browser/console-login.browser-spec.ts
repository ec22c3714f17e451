import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { eventually, screenshot, useConsoleHarness } from './console-harness';

const PASSWORD = 'correct horse battery staple';

/** The built-in login (PROTOCOL §10) from the console: sign in, use the token everywhere, renew it before it expires. */
describe('Web console with the built-in login (browser)', () => {
  // 30 s tokens (the shortest allowed): the console renews them 5 s after sign-in.
  const h = useConsoleHarness({ AUTH_LOGIN_ENABLED: 'true', AUTH_ACCESS_TOKEN_TTL_SECONDS: '30' });
  const stored = (page: Page) => page.evaluate<string>('JSON.stringify(sessionStorage)');

  beforeAll(() => {
    const added = spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'cli', 'users.js'), 'add', 'carol'], {
      input: `${PASSWORD}\n`,
      env: { ...process.env, DATABASE_URL: h.databaseUrl },
      encoding: 'utf8',
    });
    expect(added.stderr + added.stdout).toContain('added carol');
  });

  afterEach(() => {
    expect(h.problems).toEqual([]);
  });

  it('signs in with user name and password, chats, and renews the token before it expires', async () => {
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('password-login').waitFor();
    await page.getByTestId('login-username').fill('carol');
    await page.getByTestId('login-password').fill('not the password');
    await page.getByTestId('login-submit').click();
    await page.getByTestId('login-problem').filter({ hasText: 'Wrong user name or password' }).waitFor();
    await screenshot(page, 'console-login.png');

    await page.getByTestId('login-password').fill(PASSWORD);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('new-session').waitFor();
    const first = await stored(page);
    expect(first).toContain('refreshToken');
    expect(first).not.toContain(PASSWORD);

    // The renewal rotates both tokens; the new access token then works on REST and on a new socket.
    await eventually(() => stored(page), (now) => now !== first, 'the token to be renewed', 20_000);
    await page.getByTestId('new-session').click();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('message-input').fill('hello after a renewal');
    await page.getByTestId('message-input').press('Enter');
    await eventually(() => page.getByTestId('message-assistant').allInnerTexts(), (a) => a.some((t) => t.includes('You said: hello after a renewal')), 'the answer');
    await page.goto(h.url());
    await page.locator('[data-testid=session-row] .title').filter({ hasText: 'hello after a renewal' }).waitFor();
  });
});
