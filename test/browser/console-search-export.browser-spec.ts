import { readFile } from 'node:fs/promises';
import { http } from '../utils/http';
import { eventually, screenshot, useConsoleHarness } from './console-harness';

interface SessionBody {
  id: string;
}

/** The session tools of PROTOCOL §5 in the console: search over every message, export as JSON and Markdown. */
describe('Web console: search and export (browser)', () => {
  const h = useConsoleHarness();
  const chat = async (sessionId: string, content: string): Promise<void> => {
    const response = await fetch(`${h.service.baseUrl}/api/v1/agent/message/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: sessionId, message: { type: 'user_message', content } }),
    });
    expect(response.status).toBe(200);
    await response.text();
  };
  const create = async (title: string): Promise<string> =>
    (await http<SessionBody>(h.service.baseUrl, 'POST', '/api/v1/sessions', { title })).body.id;

  afterEach(() => {
    expect(h.problems).toEqual([]);
  });

  it('finds messages with the search box ("/" jumps there) and opens the session at the hit', async () => {
    const zebra = await create('Zoo notes');
    await chat(zebra, 'the zebra migration bug again');
    await chat(zebra, 'unrelated words here');
    const other = await create('Other');
    await chat(other, 'nothing to see');
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('session-row').first().waitFor();
    await page.keyboard.press('/');
    await page.keyboard.type('Zebra');
    await page.keyboard.press('Enter');
    await page.getByTestId('search-result').first().waitFor();
    const results = page.getByTestId('search-result');
    expect(await results.count()).toBeGreaterThanOrEqual(1);
    expect((await results.locator('mark').allInnerTexts()).map((t) => t.toLowerCase())).toContain('zebra');
    expect(await results.first().innerText()).toContain('Zoo notes');
    expect(await page.getByTestId('search-results').innerText()).not.toContain('nothing to see');
    await screenshot(page, 'console-search.png');
    await results.first().locator('a').click();
    await page.getByTestId('session-title').filter({ hasText: 'Zoo notes' }).waitFor();
    expect(page.url()).toMatch(new RegExp(`#/s/${zebra}/m/\\d+$`));
    const highlighted = page.locator('.highlighted');
    await highlighted.waitFor();
    expect((await highlighted.innerText()).toLowerCase()).toContain('zebra');
  });

  it('shows "nothing found" for a search without hits, and survives odd input', async () => {
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('search-input').fill('"* NEAR -:');
    await page.getByTestId('search-input').press('Enter');
    await page.getByTestId('search-results').filter({ hasText: 'Nothing found' }).waitFor();
    expect(await page.getByTestId('problem').count()).toBe(0);
  });

  it('exports a session as JSON and as Markdown', async () => {
    const id = await create('Exported');
    await chat(id, 'export me please');
    const page = h.page;
    await page.goto(h.url());
    const row = page.locator(`[data-session-id="${id}"]`);
    const [json] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-json').click()]);
    const exported = JSON.parse(await readFile(await json.path(), 'utf8')) as { format: string; session: { id: string }; messages: { content: string }[] };
    expect(exported.format).toBe('codelab-session');
    expect(exported.session.id).toBe(id);
    expect(exported.messages.map((m) => m.content)).toContain('export me please');
    const [markdown] = await Promise.all([page.waitForEvent('download'), row.getByTestId('export-markdown').click()]);
    expect(markdown.suggestedFilename()).toMatch(/\.md$/);
    expect(await readFile(await markdown.path(), 'utf8')).toContain('export me please');
    await eventually(() => page.getByTestId('problem').count(), (n) => n === 0, 'no problem shown');
  });
});
