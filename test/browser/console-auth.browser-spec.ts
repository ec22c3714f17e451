import type { Page } from 'playwright-core';
import { signToken } from '../utils/jwks-server';
import { eventually, useConsoleHarness } from './console-harness';

const API_KEY = 'browser-key-0123456789abcdef';
const SECRET = 'browser-test-secret-that-is-long-enough!';

/** With authentication on, the console asks for a credential, keeps it in this tab only, and uses it on REST and the socket. */
describe('Web console with authentication (browser)', () => {
  const h = useConsoleHarness({ AUTH_API_KEYS: `${API_KEY}:alice`, AUTH_JWT_SECRET: SECRET });

  const chat = async (page: Page, text: string): Promise<void> => {
    await page.getByTestId('new-session').click();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('message-input').fill(text);
    await page.getByTestId('message-input').press('Enter');
    await eventually(() => page.getByTestId('message-assistant').allInnerTexts(), (a) => a.some((t) => t.includes(`You said: ${text}`)), 'the answer');
  };
  const storage = (page: Page) =>
    page.evaluate<{ session: string; local: number; cookies: string }>(
      '({ session: JSON.stringify(sessionStorage), local: localStorage.length, cookies: document.cookie })',
    );

  afterEach(() => {
    expect(h.problems).toEqual([]);
  });

  it('asks for an API key, refuses a wrong one, then works over REST and the WebSocket', async () => {
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('login').waitFor();
    expect(await page.getByTestId('password-login').count()).toBe(0);
    await page.getByTestId('secret-input').fill('wrong-key-0123456789abcdef');
    await page.getByTestId('secret-submit').click();
    await page.getByTestId('login-problem').waitFor();

    await page.getByTestId('secret-input').fill(API_KEY);
    await page.getByTestId('secret-submit').click();
    await page.getByTestId('new-session').waitFor();
    await chat(page, 'hello with a key');

    const stored = await storage(page);
    expect(stored.session).toContain(API_KEY);
    expect(stored.local).toBe(0);
    expect(stored.cookies).toBe('');

    await page.reload();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await page.getByTestId('sign-out').click();
    await page.getByTestId('login').waitFor();
    expect((await storage(page)).session).not.toContain(API_KEY);
  });

  it('accepts a bearer token (sent as access_token on the socket)', async () => {
    const token = await signToken(new TextEncoder().encode(SECRET), { sub: 'bob', type: 'access' });
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('kind-token').check();
    await page.getByTestId('secret-input').fill(token);
    await page.getByTestId('secret-submit').click();
    await page.getByTestId('new-session').waitFor();
    await chat(page, 'hello with a token');
    // bob sees his session, not alice's.
    await page.goto(h.url());
    await page.getByTestId('session-row').first().waitFor();
    expect(await page.locator('[data-testid=session-row] .title').allInnerTexts()).toEqual(['hello with a token']);
  });
});
