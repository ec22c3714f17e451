import { expect } from '@jest/globals';
import { TestingModule } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import {
  agentSwitch,
  assistantMessage,
  assistantToolCalls,
  awaitingCall,
  toolAnswer,
  toolCallSpec,
  userMessage,
} from '../../test/factories/conversation.factory';
import { createSessionStoreModule } from '../../test/utils/session-store-testing';
import { PreparedSql, PreparedStatements } from '../database/prepared-statements';
import { CONVERSATION_CACHE_MODE, ConversationCache, ConversationCacheMode, conversationCacheModeFor } from './conversation-cache';
import { ConversationStore } from './conversation-store.service';
import { SessionService } from './session.service';

describe(ConversationCache.name, () => {
  let moduleRef: TestingModule;
  let store: ConversationStore;
  let cache: ConversationCache;
  let sessions: SessionService;
  let dataSource: DataSource;
  /** Names of the prepared statements run, in order. */
  let statements: string[];

  const start = async (mode: ConversationCacheMode): Promise<void> => {
    moduleRef = await createSessionStoreModule([ConversationStore, SessionService, { provide: CONVERSATION_CACHE_MODE, useValue: mode }]);
    await moduleRef.init();
    store = moduleRef.get(ConversationStore);
    cache = moduleRef.get(ConversationCache);
    sessions = moduleRef.get(SessionService);
    dataSource = moduleRef.get(DataSource);
    statements = [];
    const sql = moduleRef.get(PreparedStatements);
    const query = sql.query.bind(sql);
    jest.spyOn(sql, 'query').mockImplementation((on, statement: PreparedSql, params) => {
      statements.push(statement.name);
      return query(on, statement, params);
    });
  };

  afterEach(async () => {
    await moduleRef.close();
  });

  /** What a process that holds nothing in memory reads of the session. */
  const fromDatabase = async (sessionId: string) => {
    cache.drop(sessionId);
    return { state: await store.load(sessionId), recent: await store.recentMessages(sessionId, 200) };
  };

  /** A few turns of every kind: messages, switches, tool calls awaited and answered. */
  const someTurns = async (sessionId: string): Promise<void> => {
    await store.commit(sessionId, { messages: [userMessage('fix the bug')], agentSwitch: agentSwitch('coder', { from: 'orchestrator' }) });
    const call = toolCallSpec('call_1', 'read_file', { path: 'a.ts' });
    await store.commit(sessionId, { messages: [assistantToolCalls(call)], awaitingToolCalls: [awaitingCall({ callId: 'call_1' })] });
    await store.commit(sessionId, { messages: [toolAnswer('call_1', 'export {}')], awaitingToolCalls: [] });
    await store.commit(sessionId, { messages: [assistantMessage('Fixed \u0000 it.')] });
  };

  /** A trusted-mode store holding a new session (state and `window` messages), after a few turns of every kind. */
  const heldAfterSomeTurns = async (sessionId: string, window: number): Promise<void> => {
    await start('trusted');
    await sessions.create({ sessionId }, null);
    await store.load(sessionId);
    await store.recentMessages(sessionId, window);
    await someTurns(sessionId);
  };

  it('a session in use reads nothing: state and history come from memory, a commit is one UPDATE and one INSERT', async () => {
    await heldAfterSomeTurns('s1', 200);
    statements = [];
    const state = await store.load('s1');
    const recent = await store.recentMessages('s1', 200);
    await store.commit('s1', { messages: [userMessage('and again')] });
    expect(statements).toEqual(['conversation_update_session_at', 'conversation_insert_message']);
    expect(state?.currentAgent).toBe('coder');
    expect(recent).toHaveLength(4);
  });

  it('holds exactly what the database holds after every kind of step', async () => {
    await heldAfterSomeTurns('s1', 200);
    const held = { state: await store.load('s1'), recent: await store.recentMessages('s1', 200) };
    expect(statements.filter((name) => name.startsWith('conversation_load') || name === 'conversation_recent_messages')).toHaveLength(2);
    expect(held).toEqual(await fromDatabase('s1'));
    expect(held.recent.at(-1)?.content).toBe('Fixed \uFFFD it.');
  });

  it('keeps only the newest messages of the window, as the database read would return them', async () => {
    await heldAfterSomeTurns('s1', 3);
    statements = [];
    const held = await store.recentMessages('s1', 3);
    expect(statements).toEqual([]);
    expect(held).toEqual((await fromDatabase('s1')).recent.slice(-3).filter((m, i) => i > 0 || m.role !== 'tool'));
  });

  it('is dropped when the session is deleted and when a commit fails', async () => {
    await start('trusted');
    await sessions.create({ sessionId: 's1' }, null);
    await store.load('s1');
    expect(cache.get('s1')).toBeDefined();
    await sessions.delete('s1', null);
    expect(cache.get('s1')).toBeUndefined();
    expect(await store.load('s1')).toBeNull();

    await sessions.create({ sessionId: 's2' }, null);
    await store.load('s2');
    await expect(store.commit('s2', { messages: [userMessage('x')], approvalDecisions: [{ callId: 'c', status: 'approved', reason: 'r', arguments: { bad: BigInt(1) as unknown as number } }] })).rejects.toThrow();
    expect(cache.get('s2')).toBeUndefined();
    expect((await fromDatabase('s2')).recent).toEqual([]);
  });

  it('every commit moves the version on; a commit on a copy someone else has moved past re-reads under the lock', async () => {
    await start('trusted');
    await sessions.create({ sessionId: 's1' }, null);
    await store.load('s1');
    await store.commit('s1', { messages: [userMessage('one')] });
    const version = async (): Promise<number> => Number((await dataSource.query<{ version: number }[]>(`SELECT version FROM sessions WHERE id = 's1'`))[0]?.version);
    expect(await version()).toBe(1);
    // Another instance wrote a message (and moved the version on).
    await dataSource.query(`INSERT INTO messages (session_id, seq, role, content, created_at) VALUES ('s1', 1, 'assistant', 'elsewhere', 0)`);
    await dataSource.query(`UPDATE sessions SET message_count = 2, version = version + 1 WHERE id = 's1'`);
    await store.commit('s1', { messages: [userMessage('three')] });
    expect(await version()).toBe(3);
    expect((await fromDatabase('s1')).recent.map((m) => m.content)).toEqual(['one', 'elsewhere', 'three']);
  });

  it.each([
    ['trusted', 'orchestrator'],
    ['verified', 'debug'],
  ] as const)('%s mode: a state changed by another instance is %s', async (mode, expected) => {
    await start(mode);
    await sessions.create({ sessionId: 's1' }, null);
    expect((await store.load('s1'))?.currentAgent).toBe('orchestrator');
    await dataSource.query(`UPDATE agent_contexts SET current_agent = 'debug' WHERE session_id = 's1'`);
    await dataSource.query(`UPDATE sessions SET version = version + 1 WHERE id = 's1'`);
    statements = [];
    expect((await store.load('s1'))?.currentAgent).toBe(expected);
    // Trusted: nothing read. Verified: one indexed read of the version (and the reload it calls for).
    expect(statements).toEqual(mode === 'trusted' ? [] : ['conversation_version', 'conversation_load']);
    statements = [];
    await store.load('s1');
    expect(statements).toEqual(mode === 'trusted' ? [] : ['conversation_version']);
  });

  it.each(['trusted', 'verified'] as const)(
    '%s mode: the owner of a session in use is held (trusted) or read each time (verified); a deletion drops it',
    async (mode) => {
      await start(mode);
      await store.recentMessages('other', 200); // the window a turn asks for
      expect(await sessions.ensure('s1', 'alice')).toBe(true);
      statements = [];
      // A session this process created is held whole: its first turn reads nothing (trusted).
      expect(await store.load('s1')).toEqual({ sessionId: 's1', currentAgent: 'orchestrator', awaitingToolCalls: [] });
      expect(await store.recentMessages('s1', 200)).toEqual([]);
      expect([await sessions.isVisible('s1', 'alice'), await sessions.isVisible('s1', 'bob'), await sessions.isVisible('s1', null)]).toEqual([true, false, true]);
      expect(await sessions.ensure('s1', 'alice')).toBe(false);
      expect(statements).toEqual(mode === 'trusted' ? [] : ['conversation_version', ...Array<string>(4).fill('session_owner')]);
      await sessions.delete('s1', 'alice');
      expect(await sessions.isVisible('s1', 'alice')).toBe(false);
      expect(await store.load('s1')).toBeNull();
    },
  );

  it('is verified exactly when several instances may share the database (REDIS_URL set)', () => {
    expect(conversationCacheModeFor({ redis: null })).toBe('trusted');
    expect(conversationCacheModeFor({ redis: { url: 'redis://127.0.0.1:6379/3' } })).toBe('verified');
  });
});
