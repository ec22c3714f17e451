import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { userMessage } from '../../../test/factories/conversation.factory';
import { createSessionStoreModule } from '../../../test/utils/session-store-testing';
import { ConversationStore } from '../conversation-store.service';
import { SessionService } from '../session.service';
import { MessageSearchService } from './message-search.service';

describe(MessageSearchService.name, () => {
  let moduleRef: TestingModule;
  let sut: MessageSearchService;
  let store: ConversationStore;
  let sessions: SessionService;
  let dataSource: DataSource;
  const find = async (q: string, owner: string | null = 'alice') =>
    (await sut.search({ q, limit: 20, offset: 0 }, owner)).map((h) => `${h.sessionId}#${h.seq}`);

  beforeEach(async () => {
    moduleRef = await createSessionStoreModule([MessageSearchService, ConversationStore, SessionService]);
    await moduleRef.init();
    sut = moduleRef.get(MessageSearchService);
    store = moduleRef.get(ConversationStore);
    sessions = moduleRef.get(SessionService);
    dataSource = moduleRef.get(DataSource);
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  it('indexes the messages stored before the migration (backfill)', async () => {
    await sessions.create({ sessionId: 'old' }, 'alice');
    // Back to just before MessageSearch: undo every later migration, then the search migration itself.
    while (dataSource.migrations.length > 0) {
      const executed = await dataSource.query<{ name: string }[]>('SELECT name FROM migrations ORDER BY id DESC LIMIT 1');
      await dataSource.undoLastMigration();
      if (executed[0]?.name === 'MessageSearch1764200000000') break;
    }
    // Written as the schema of that time stored them (the store itself needs later columns).
    for (const [seq, role, content] of [[0, 'user', 'An early capybara'], [1, 'assistant', 'Noted, capybara.']] as const) {
      await dataSource.query('INSERT INTO messages (session_id, seq, role, content, created_at) VALUES (?, ?, ?, ?, ?)', ['old', seq, role, content, Date.now()]);
    }
    await dataSource.runMigrations();
    expect((await find('capybara')).sort()).toEqual(['old#0', 'old#1']);
  });

  it('follows the owner of a session when it changes', async () => {
    await sessions.create({ sessionId: 'moved' }, 'alice');
    await store.commit('moved', { messages: [userMessage('A travelling axolotl')] });
    expect(await find('axolotl')).toEqual(['moved#0']);
    await dataSource.query(`UPDATE sessions SET owner_id = 'bob' WHERE id = 'moved'`);
    expect(await find('axolotl')).toEqual([]);
    expect(await find('axolotl', 'bob')).toEqual(['moved#0']);
    expect(await find('axolotl', null)).toEqual(['moved#0']);
  });
});
