import { http } from '../utils/http';
import { useFakeModelApp } from '../utils/fake-model-app';
import { sampleValue } from '../utils/prometheus';
import { useTestApp } from '../utils/use-test-app';

const METRICS_TOKEN = 'scrape-token-for-the-e2e-test';

async function scrape(baseUrl: string): Promise<string> {
  const res = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  return res.text();
}

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('GET /metrics (e2e)', () => {
  const app = useTestApp(() => ({ METRICS_TOKEN }));

  it('needs METRICS_TOKEN as a bearer when it is set', async () => {
    const { baseUrl } = app.running;
    const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-of-some-length' }, { authorization: METRICS_TOKEN }];
    for (const headers of attempts) {
      const res = await http<{ statusCode: number }>(baseUrl, 'GET', '/metrics', undefined, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    const ok = await fetch(`${baseUrl}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain;.*version=0\.0\.4/);
    const text = await ok.text();
    expect(sampleValue(text, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleValue(text, 'nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
  });

  it('moves as expected around a turn: sockets, turns by agent and outcome, durations, commits', async () => {
    const { baseUrl } = app.running;
    const before = await scrape(baseUrl);
    const turns = (text: string) => sampleValue(text, 'codelab_turns_total', { agent: 'coder', outcome: 'completed' }) ?? 0;
    const turnCount = (text: string) => sampleValue(text, 'codelab_turn_duration_seconds_count', { outcome: 'completed' }) ?? 0;
    const modelCalls = (text: string) =>
      sampleValue(text, 'codelab_model_call_duration_seconds_count', { provider: 'echo', call: 'stream', outcome: 'ok' }) ?? 0;
    const commits = (text: string) => sampleValue(text, 'codelab_db_commit_duration_seconds_count', { outcome: 'committed' }) ?? 0;
    expect(sampleValue(before, 'codelab_open_sockets', { protocol: 'ws1' })).toBe(0);
    expect(sampleValue(before, 'codelab_queued_frames')).toBe(0);

    const socket = await app.open('/api/v1/ws/metrics-turn');
    const during = await scrape(baseUrl);
    expect(sampleValue(during, 'codelab_open_sockets', { protocol: 'ws1' })).toBe(1);
    const reply = await socket.request({ type: 'user_message', content: 'count this turn', agent_type: 'coder' });
    expect(reply.at(-1)).toMatchObject({ type: 'assistant_message' });

    const after = await scrape(baseUrl);
    expect(turns(after) - turns(before)).toBe(1);
    expect(turnCount(after) - turnCount(before)).toBe(1);
    expect(modelCalls(after) - modelCalls(before)).toBe(1);
    // The session, the agent switch, the user message and the answer are each committed.
    expect(commits(after) - commits(before)).toBeGreaterThanOrEqual(3);
    expect(sampleValue(after, 'codelab_queued_frames')).toBe(0);
    expect(after).not.toContain('metrics-turn');

    await socket.close();
    await until(async () => sampleValue(await scrape(baseUrl), 'codelab_open_sockets', { protocol: 'ws1' }) === 0, 'the socket gauge to drop');
  });
});

describe('GET /metrics without METRICS_TOKEN (e2e)', () => {
  const app = useFakeModelApp();

  it('is public, and counts model errors by kind', async () => {
    const { baseUrl } = app.running;
    const errors = (text: string) => sampleValue(text, 'codelab_model_errors_total', { provider: 'openai', kind: 'http_5xx' }) ?? 0;
    const failedTurns = (text: string) => sampleValue(text, 'codelab_turns_total', { agent: 'coder', outcome: 'error' }) ?? 0;
    const before = await (await fetch(`${baseUrl}/metrics`)).text();
    app.fake.enqueue({ kind: 'error', status: 503, message: 'overloaded' });
    const socket = await app.open('/api/v1/ws/metrics-model-error');
    const reply = await socket.request({ type: 'user_message', content: 'fail please', agent_type: 'coder' });
    expect(reply.at(-1)).toMatchObject({ type: 'error' });
    const after = await (await fetch(`${baseUrl}/metrics`)).text();
    expect(errors(after) - errors(before)).toBe(1);
    expect(failedTurns(after) - failedTurns(before)).toBe(1);
  });
});
