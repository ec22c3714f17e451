import type { Page } from 'playwright-core';
import { http } from '../utils/http';
import { eventually, screenshot, useConsoleHarness } from './console-harness';

interface SessionBody {
  id: string;
  title: string | null;
}
interface HistoryBody {
  messages: { role: string; content: string | null }[];
}

/**
 * The web console in a real browser against the built service: every screen and flow of issue 15.
 * `UPDATE_SCREENSHOTS=1` also writes the screenshots in docs/.
 */
describe('Web console (browser)', () => {
  const h = useConsoleHarness();
  const api = <T>(method: string, path: string, body?: unknown) => http<T>(h.service.baseUrl, method, `/api/v1${path}`, body);

  const openNewSession = async (page: Page): Promise<string> => {
    await page.goto(h.url());
    await page.getByTestId('new-session').click();
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    const id = /#\/s\/([^/]+)$/.exec(page.url())?.[1];
    if (!id) throw new Error(`not on a session page: ${page.url()}`);
    return decodeURIComponent(id);
  };
  const send = async (page: Page, text: string): Promise<void> => {
    await page.getByTestId('message-input').fill(text);
    await page.getByTestId('message-input').press('Enter');
  };
  const finalAnswers = (page: Page) => page.getByTestId('message-assistant').allInnerTexts();
  const waitForAnswer = (page: Page, text: string) =>
    eventually(() => finalAnswers(page), (answers) => answers.some((a) => a.includes(text)), `an answer containing ${text}`);

  afterEach(() => {
    expect(h.problems).toEqual([]);
  });

  it('lists the sessions newest first, in pages of 20', async () => {
    for (let i = 1; i <= 22; i++) expect((await api('POST', '/sessions', { title: `Listed ${String(i).padStart(2, '0')}` })).status).toBe(201);
    const { body } = await api<{ total: number; sessions: SessionBody[] }>('GET', '/sessions?limit=20');
    const page = h.page;
    await page.goto(h.url('/'));
    await page.getByTestId('page-info').filter({ hasText: `1–20 of ${body.total}` }).waitFor();
    expect(await page.getByTestId('session-row').count()).toBe(20);
    expect(await page.locator('[data-testid=session-row] .title').allInnerTexts()).toEqual(body.sessions.map((s) => s.title ?? 'Untitled session'));
    await screenshot(page, 'console-sessions.png');
    await page.getByTestId('next-page').click();
    await page.getByTestId('page-info').filter({ hasText: `21–${body.total} of ${body.total}` }).waitFor();
    expect(await page.getByTestId('session-row').count()).toBe(body.total - 20);
  });

  it('opens a session from the list and shows its history: user text as text, model text as Markdown', async () => {
    const created = await api<SessionBody>('POST', '/sessions', { title: 'With history' });
    const markdown = 'Show **bold** and `code`\n```js\nconsole.log(1)\n```';
    const stream = await fetch(`${h.service.baseUrl}/api/v1/agent/message/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ session_id: created.body.id, message: { type: 'user_message', content: markdown } }),
    });
    expect(stream.status).toBe(200);
    await stream.text();
    const page = h.page;
    await page.goto(h.url());
    await page.locator(`[data-session-id="${created.body.id}"] [data-testid=session-link]`).click();
    await page.getByTestId('session-title').filter({ hasText: 'With history' }).waitFor();
    await page.getByTestId('message-assistant').waitFor();
    expect(await page.getByTestId('message-user').innerText()).toContain('Show **bold** and `code`');
    const answer = page.getByTestId('message-assistant');
    expect(await answer.locator('strong').innerText()).toBe('bold');
    expect(await answer.locator('pre code').innerText()).toContain('console.log(1)');
    expect(await page.getByTestId('agent-switch').count()).toBeGreaterThanOrEqual(1);
  });

  it('streams the answer token by token while the turn runs', async () => {
    const page = h.page;
    await openNewSession(page);
    const words = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const full = `You said: ${words}`;
    await send(page, words);
    const seen = new Set<string>();
    await eventually(
      async () => {
        const streaming = page.getByTestId('message-streaming');
        if ((await streaming.count()) > 0) seen.add((await streaming.locator('.markdown').innerText().catch(() => '')).trim());
        return finalAnswers(page);
      },
      (answers) => answers.some((a) => a.includes(full)),
      'the final answer',
    );
    const partial = [...seen].filter((text) => text.length > 0 && text !== full);
    expect(partial.length).toBeGreaterThanOrEqual(2);
    for (const text of partial) expect(full.startsWith(text)).toBe(true);
    expect(await page.getByTestId('session-state').innerText()).toBe('idle');
  });

  it('cancels a long turn: the answer stops, is marked cancelled, and what was produced is stored', async () => {
    const page = h.page;
    const id = await openNewSession(page);
    const words = Array.from({ length: 400 }, (_, i) => `w${i}`).join(' ');
    await send(page, words);
    await eventually(() => page.getByTestId('message-streaming').count(), (n) => n > 0, 'streaming to start');
    await page.getByTestId('session-state').filter({ hasText: 'running' }).waitFor();
    await screenshot(page, 'console-streaming.png');
    await page.getByTestId('cancel').click();
    await page.locator('[data-testid=message-assistant]').filter({ hasText: 'cancelled' }).waitFor();
    await page.getByTestId('session-state').filter({ hasText: 'idle' }).waitFor();
    const history = await api<HistoryBody>('GET', `/sessions/${id}/history`);
    expect(history.body.messages.at(-1)).toMatchObject({ role: 'assistant' });
    const stored = history.body.messages.at(-1)?.content?.trim() ?? '';
    expect(`You said: ${words}`.startsWith(stored)).toBe(true);
    expect(stored.length).toBeLessThan(`You said: ${words}`.length);
    // What the page shows (live, then from the history) is exactly what was stored.
    await eventually(
      () => finalAnswers(page),
      (answers) => answers.at(-1)?.endsWith(stored) === true && /cancelled/i.test(answers.at(-1) ?? ''),
      'the stored partial answer, still marked cancelled',
    );
  });

  it('works from the keyboard: new session, Enter sends, Escape cancels', async () => {
    const page = h.page;
    await page.goto(h.url());
    await page.getByTestId('new-session').focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('connection-state').filter({ hasText: 'connected' }).waitFor();
    await page.keyboard.insertText(Array.from({ length: 300 }, (_, i) => `k${i}`).join(' '));
    await page.keyboard.press('Enter');
    await eventually(() => page.getByTestId('message-streaming').count(), (n) => n > 0, 'streaming to start');
    await page.keyboard.press('Escape');
    await page.locator('[data-testid=message-assistant]').filter({ hasText: 'cancelled' }).waitFor();
    await page.getByTestId('session-state').filter({ hasText: 'idle' }).waitFor();
  });

  it('approves (as proposed and edited) and rejects pending tool calls', async () => {
    const page = h.page;
    const id = await openNewSession(page);
    const pending = async () => (await api<{ count: number }>('GET', `/sessions/${id}/pending-approvals`)).body.count;

    await send(page, '/tool write_file {"path":"hello.py","content":"print(1)"}');
    await page.getByTestId('approval').waitFor();
    expect(await page.getByTestId('approval').innerText()).toContain('hello.py');
    expect(await pending()).toBe(1);
    await screenshot(page, 'console-approval.png');
    await page.getByTestId('approve').click();
    await page.getByTestId('open-tool-call').waitFor();
    expect(await pending()).toBe(0);
    await page.getByTestId('tool-result-input').fill('{"success":true,"bytes_written":8}');
    await page.getByTestId('send-tool-result').click();
    await waitForAnswer(page, 'The tool returned: {"success":true,"bytes_written":8}');

    await send(page, '/tool write_file {"path":"a.txt","content":"x"}');
    await page.getByTestId('edit').click();
    await page.getByTestId('edit-arguments').fill('{"path":"b.txt","content":"y"}');
    await page.getByTestId('approve-edited').click();
    await page.getByTestId('open-tool-call').filter({ hasText: 'b.txt' }).waitFor();
    await page.getByTestId('tool-result-input').fill('done');
    await page.getByTestId('send-tool-result').click();
    await waitForAnswer(page, 'The user edited the arguments');

    await send(page, '/tool execute_command {"command":"rm -rf build"}');
    await page.getByTestId('reject').click();
    await page.getByTestId('reject-feedback').fill('not now');
    await page.getByTestId('confirm-reject').click();
    await waitForAnswer(page, 'Rejected by the user: not now');
    expect(await pending()).toBe(0);
    expect(await page.getByTestId('approval').count()).toBe(0);
  });

  it('renames and deletes sessions from the list', async () => {
    const created = await api<SessionBody>('POST', '/sessions', { title: 'Old title' });
    const page = h.page;
    await page.goto(h.url());
    const row = page.locator(`[data-session-id="${created.body.id}"]`);
    await row.getByTestId('rename').click();
    await row.getByTestId('rename-input').fill('New title');
    await row.getByTestId('rename-input').press('Enter');
    await page.locator(`[data-session-id="${created.body.id}"] .title`).filter({ hasText: 'New title' }).waitFor();
    expect((await api<SessionBody>('GET', `/sessions/${created.body.id}`)).body.title).toBe('New title');

    await page.locator(`[data-session-id="${created.body.id}"]`).getByTestId('delete').click();
    await page.locator(`[data-session-id="${created.body.id}"]`).getByTestId('confirm-delete').click();
    await eventually(() => page.locator(`[data-session-id="${created.body.id}"]`).count(), (n) => n === 0, 'the row to go');
    expect((await api('GET', `/sessions/${created.body.id}`)).status).toBe(404);
  });

  it('resumes after the connection drops mid-turn: nothing lost, nothing twice', async () => {
    const page = h.page;
    const id = await openNewSession(page);
    const words = Array.from({ length: 60 }, (_, i) => `r${i}`).join(' ');
    const full = `You said: ${words}`;
    await send(page, words);
    await eventually(() => page.getByTestId('message-streaming').count(), (n) => n > 0, 'streaming to start');
    // Cut every connection (the socket drops without a close frame), then let the browser in again.
    await h.proxy.stop();
    await h.proxy.start();
    await page.getByTestId('resumed').waitFor();
    await waitForAnswer(page, full);
    const answers = await finalAnswers(page);
    expect(answers.filter((a) => a.includes(full))).toHaveLength(1);
    expect(await page.getByTestId('connection-state').innerText()).toBe('connected');
    const history = await api<HistoryBody>('GET', `/sessions/${id}/history`);
    expect(history.body.messages.map((m) => m.content)).toEqual([words, full]);
    await screenshot(page, 'console-session.png');
  });

  it('shows a message with HTML in it as text: no element, no script', async () => {
    const page = h.page;
    await openNewSession(page);
    const hostile = '<img src=x onerror=alert(1)> <script>alert(2)</script> [x](javascript:alert(3))';
    await send(page, hostile);
    await waitForAnswer(page, 'You said:');
    expect(await page.getByTestId('message-user').innerText()).toContain(hostile);
    expect(await page.getByTestId('message-assistant').innerText()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('main script').count()).toBe(0);
    expect(await page.locator('a[href^="javascript:"]').count()).toBe(0);
  });

  it('is usable on a phone-sized screen', async () => {
    const page = h.page;
    await page.setViewportSize({ width: 390, height: 844 });
    await openNewSession(page);
    await send(page, 'hello from a phone');
    await waitForAnswer(page, 'You said: hello from a phone');
    const width = await page.evaluate('document.documentElement.scrollWidth');
    expect(width).toBeLessThanOrEqual(390);
    await screenshot(page, 'console-phone.png');
  });
});
