import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';

const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';

interface SearchBody {
  results: { session_id: string; title: string | null; seq: number; role: string; snippet: string; created_at: string }[];
  limit: number;
  offset: number;
  query: string;
}

describe('GET /api/v1/search (e2e)', () => {
  const app = useTestApp(() => ({ AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob` }));
  const as = (key: string) => ({ 'x-api-key': key });
  const search = (key: string, params: Record<string, string>) =>
    http<SearchBody>(app.running.baseUrl, 'GET', `/api/v1/search?${new URLSearchParams(params).toString()}`, undefined, as(key));
  /** A real turn over the WebSocket: the runtime's own INSERTs feed the index. */
  const chat = async (key: string, sessionId: string, ...contents: string[]): Promise<void> => {
    const socket = await app.open(`/ws/${sessionId}`, as(key));
    for (const content of contents) {
      const reply = await socket.request({ type: 'user_message', content });
      expect(reply.at(-1)?.type).toBe('assistant_message');
    }
  };
  const userHits = async (key: string, q: string) =>
    (await search(key, { q })).body.results.filter((r) => r.role === 'user').map((r) => `${r.session_id}#${r.seq}`);

  beforeAll(async () => {
    await chat(KEY_ALICE, 'alice-migrations', 'The migration bug breaks the foreign key', 'Where is my résumé?');
    await chat(KEY_ALICE, 'alice-cyrillic', 'Где мой файл конфигурации?');
    await chat(KEY_BOB, 'bob-secrets', 'Bob also has a migration bug and a résumé файл');
  });

  it('finds a word in user and assistant messages of the caller, with the word marked in the snippet', async () => {
    const res = await search(KEY_ALICE, { q: 'migration' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ limit: 20, offset: 0, query: 'migration' });
    const mine = res.body.results.filter((r) => r.session_id === 'alice-migrations');
    expect(mine.map((r) => r.role).sort()).toEqual(['assistant', 'user']);
    const user = mine.find((r) => r.role === 'user');
    expect(user).toMatchObject({ seq: 0, title: 'The migration bug breaks the foreign key' });
    expect(user?.snippet).toBe('The **migration** bug breaks the foreign key');
    expect(Date.parse(user?.created_at ?? '')).not.toBeNaN();
  });

  it('matches whatever the case and the accents, and Cyrillic words', async () => {
    expect(await userHits(KEY_ALICE, 'RESUME')).toEqual(['alice-migrations#2']);
    expect(await userHits(KEY_ALICE, 'Résumé')).toEqual(['alice-migrations#2']);
    expect(await userHits(KEY_ALICE, 'Файл')).toEqual(['alice-cyrillic#0']);
    expect(await userHits(KEY_ALICE, 'ФАЙЛ конфигурации')).toEqual(['alice-cyrillic#0']);
    const snippet = (await search(KEY_ALICE, { q: 'resume', session_id: 'alice-migrations' })).body.results[0]?.snippet;
    expect(snippet).toContain('**résumé**');
  });

  it('needs every word, and a quoted phrase in order', async () => {
    expect(await userHits(KEY_ALICE, 'migration résumé')).toEqual([]);
    expect(await userHits(KEY_ALICE, '"migration bug"')).toEqual(['alice-migrations#0']);
    expect(await userHits(KEY_ALICE, '"bug migration"')).toEqual([]);
    expect(await userHits(KEY_ALICE, '"foreign key" breaks')).toEqual(['alice-migrations#0']);
    expect(await userHits(KEY_ALICE, 'foreign-key')).toEqual(['alice-migrations#0']);
    expect(await userHits(KEY_ALICE, 'key-foreign')).toEqual([]);
  });

  it('matches whole words only: no prefixes, no stemming', async () => {
    expect(await userHits(KEY_ALICE, 'migrat')).toEqual([]);
    expect(await userHits(KEY_ALICE, 'migrations')).toEqual([]);
  });

  it('ranks among the 1,000 newest matches', async () => {
    const messages = Array.from({ length: 1100 }, (_, i) =>
      i === 0 ? { role: 'user', content: 'wombat wombat wombat' } : { role: i % 2 ? 'assistant' : 'user', content: `wombat number ${i} among many other words` },
    );
    const imported = await http<{ id: string }>(app.running.baseUrl, 'POST', '/api/v1/imports', { messages }, as(KEY_ALICE));
    expect(imported.status).toBe(201);
    const page = async (offset: number) => (await search(KEY_ALICE, { q: 'wombat', limit: '100', offset: String(offset) })).body.results;
    expect(await page(950)).toHaveLength(50);
    expect(await page(1000)).toEqual([]);
    const seqs = (await Promise.all([0, 100, 200, 300, 400, 500, 600, 700, 800, 900].map(page))).flat().map((r) => r.seq);
    expect(new Set(seqs).size).toBe(1000);
    expect(Math.min(...seqs)).toBe(100);
  });

  it('never shows another user’s messages, and another user’s session is 404', async () => {
    for (const q of ['migration', 'résumé', 'файл', 'Bob']) {
      const res = await search(KEY_ALICE, { q });
      expect(res.body.results.every((r) => r.session_id.startsWith('alice-'))).toBe(true);
    }
    expect(await userHits(KEY_BOB, 'migration')).toEqual(['bob-secrets#0']);
    const foreign = await search(KEY_BOB, { q: 'migration', session_id: 'alice-migrations' });
    expect(foreign.status).toBe(404);
  });

  it('puts the best match first', async () => {
    await chat(KEY_ALICE, 'alice-ranking', 'a long message that mentions the zebra once among many other words of no interest at all');
    await chat(KEY_ALICE, 'alice-ranking-2', 'zebra zebra zebra');
    const hits = (await search(KEY_ALICE, { q: 'zebra' })).body.results.filter((r) => r.role === 'user');
    expect(hits.map((r) => r.session_id)).toEqual(['alice-ranking-2', 'alice-ranking']);
  });

  it('survives odd input: results or an empty list, never an error', async () => {
    const odd = [
      '"', '""', '"""', '*', 'migra*', 'NEAR', 'NEAR(migration bug)', 'migration NEAR bug', '-', '-migration', 'migration -bug',
      ':', 'body:migration', 'owner:x', '^migration', 'migration AND', 'OR', 'NOT migration', '(migration', 'migration)',
      "'", "mi'gration", '\\', 'migration & bug | !x <-> y', '{body}: x', '"lone quote', 'quote" lone',
      '!@#$%^&*()_+-=[]{}|;:,.<>/?~`'.repeat(17).slice(0, 500), ' '.repeat(3) + 'x', '\u0000', '🙂 migration', '%', '_',
    ];
    for (const q of odd) {
      const res = await search(KEY_ALICE, { q });
      expect({ q, status: res.status }).toEqual({ q, status: 200 });
      expect(Array.isArray(res.body.results)).toBe(true);
    }
    expect((await search(KEY_ALICE, { q: '-migration' })).body.results.length).toBeGreaterThan(0);
  });

  it('validates q, limit, offset and pages the results', async () => {
    expect((await search(KEY_ALICE, { q: '' })).status).toBe(400);
    expect((await search(KEY_ALICE, { q: 'x'.repeat(501) })).status).toBe(400);
    expect((await search(KEY_ALICE, { q: 'migration', limit: '0' })).status).toBe(400);
    expect((await search(KEY_ALICE, { q: 'migration', limit: '101' })).status).toBe(400);
    expect((await search(KEY_ALICE, { q: 'migration', offset: '-1' })).status).toBe(400);
    const all = (await search(KEY_ALICE, { q: 'migration' })).body.results;
    const second = (await search(KEY_ALICE, { q: 'migration', limit: '1', offset: '1' })).body.results;
    expect(second).toEqual([all[1]]);
  });

  it('forgets the messages of a deleted session', async () => {
    await chat(KEY_ALICE, 'alice-doomed', 'ephemeral platypus');
    expect(await userHits(KEY_ALICE, 'platypus')).toEqual(['alice-doomed#0']);
    expect((await http(app.running.baseUrl, 'DELETE', '/api/v1/sessions/alice-doomed', undefined, as(KEY_ALICE))).status).toBe(204);
    expect(await userHits(KEY_ALICE, 'platypus')).toEqual([]);
  });
});
