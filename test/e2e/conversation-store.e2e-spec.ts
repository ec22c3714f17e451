import { ConversationStore } from '../../src/session/conversation-store.service';
import { agentSwitch, assistantMessage, userMessage } from '../factories/conversation.factory';
import { http } from '../utils/http';
import { RunningApp, startApp } from '../utils/test-app';
import { createTestDatabase, TestDatabase } from '../utils/test-database';

/**
 * The store's guarantees on the real database (a SQLite file here, PostgreSQL under `npm run test:pg`):
 * commits that overlap in time, for example from two sockets or two instances, lose nothing and never
 * interleave two turns.
 */
describe('Conversation store on the real database (e2e)', () => {
  let db: TestDatabase;
  let running: RunningApp;
  let store: ConversationStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    running = await startApp(db.url);
    store = running.app.get(ConversationStore);
  });

  afterAll(async () => {
    await running.close();
    await db.drop();
  });

  const historyOf = async (id: string) =>
    (await http<{ messages: { content: string }[]; message_count: number; agent_history: unknown[] }>(
      running.baseUrl,
      'GET',
      `/api/v1/sessions/${id}/history`,
    )).body;

  it('appends concurrent commits to one session without losing or interleaving them', async () => {
    await http(running.baseUrl, 'POST', '/api/v1/sessions', { session_id: 'busy' });
    const turns = Array.from({ length: 20 }, (_, i) => i);
    await Promise.all(
      turns.map((i) =>
        store.commit('busy', {
          messages: [userMessage(`u${i}`), assistantMessage(`a${i}`)],
          agentSwitch: agentSwitch(i % 2 === 0 ? 'coder' : 'debug', { reason: `switch ${i}` }),
        }),
      ),
    );

    const history = await historyOf('busy');
    expect(history.message_count).toBe(40);
    const contents = history.messages.map((m) => m.content);
    for (let k = 0; k < 20; k++) {
      expect(contents[2 * k + 1]).toBe(contents[2 * k]?.replace(/^u/, 'a'));
    }
    expect(new Set(contents.filter((c) => c.startsWith('u')))).toEqual(new Set(turns.map((i) => `u${i}`)));
    expect(history.agent_history).toHaveLength(20);
    const current = await http<{ switch_count: number }>(running.baseUrl, 'GET', '/api/v1/agents/busy/current');
    expect(current.body.switch_count).toBe(20);
  });
});
