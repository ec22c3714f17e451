import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { agentSwitch, newApproval, userMessage } from '../../test/factories/conversation.factory';
import { createSessionStoreModule } from '../../test/utils/session-store-testing';
import { DomainError, DomainErrorCode } from '../common/domain.error';
import { ConversationStore } from './conversation-store.service';
import { AgentContextEntity } from './entities/agent-context.entity';
import { MessageEntity } from './entities/message.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionService } from './session.service';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function domainErrorOf(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof DomainError)) throw new Error(`expected a DomainError, got ${String(error)}`);
  return error;
}

describe(SessionService.name, () => {
  let moduleRef: TestingModule;
  let sut: SessionService;
  let store: ConversationStore;
  let sessionRows: Repository<SessionEntity>;

  beforeEach(async () => {
    moduleRef = await createSessionStoreModule([SessionService, ConversationStore]);
    await moduleRef.init();
    sut = moduleRef.get(SessionService);
    store = moduleRef.get(ConversationStore);
    sessionRows = moduleRef.get(getRepositoryToken(SessionEntity));
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  const setLastActivity = (id: string, iso: string) => sessionRows.update({ id }, { lastActivity: new Date(iso) });

  describe('create', () => {
    it('creates a session with a server-made UUID v4 and the initial agent', async () => {
      const before = Date.now();
      const view = await sut.create({}, null);

      expect(view.id).toMatch(UUID_V4);
      expect(view).toMatchObject({ title: null, messageCount: 0, currentAgent: 'orchestrator' });
      expect(view.createdAt.getTime()).toBeGreaterThanOrEqual(before);
      expect(view.lastActivity).toEqual(view.createdAt);
      expect(await sut.create({}, null)).not.toMatchObject({ id: view.id });
    });

    it('uses the given id and title', async () => {
      expect(await sut.create({ sessionId: 'client-1', title: 'My chat' }, null)).toMatchObject({
        id: 'client-1',
        title: 'My chat',
      });
    });

    it('refuses an id that exists with session_exists', async () => {
      await sut.create({ sessionId: 'client-1' }, null);
      const error = await domainErrorOf(sut.create({ sessionId: 'client-1', title: 'other' }, null));
      expect(error.code).toBe(DomainErrorCode.SessionExists);
      expect((await sut.get('client-1', null)).title).toBeNull();
    });

    it('lets exactly one of two simultaneous creates of the same id win', async () => {
      const results = await Promise.allSettled([
        sut.create({ sessionId: 'race' }, null),
        sut.create({ sessionId: 'race' }, null),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected?.reason).toBeInstanceOf(DomainError);
      expect((rejected?.reason as DomainError).code).toBe(DomainErrorCode.SessionExists);
    });
  });

  describe('ensure and exists', () => {
    it('creates a missing session once and reports whether it did', async () => {
      expect(await sut.isVisible('lazy', null)).toBe(false);
      expect(await sut.ensure('lazy', null)).toBe(true);
      expect(await sut.ensure('lazy', null)).toBe(false);
      expect(await sut.isVisible('lazy', null)).toBe(true);
      expect((await sut.get('lazy', null)).currentAgent).toBe('orchestrator');
    });
  });

  describe('get', () => {
    it('fails with session_not_found for an unknown id', async () => {
      const error = await domainErrorOf(sut.get('nope', null));
      expect(error.code).toBe(DomainErrorCode.SessionNotFound);
      expect(error.message).toBe('Session nope not found');
    });

    it('reports message_count and the current agent from the store', async () => {
      await sut.create({ sessionId: 's1' }, null);
      await store.commit('s1', { messages: [userMessage('a'), userMessage('b')], agentSwitch: agentSwitch('architect') });
      expect(await sut.get('s1', null)).toMatchObject({ messageCount: 2, currentAgent: 'architect', title: 'a' });
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      for (const id of ['a', 'b', 'c', 'd']) await sut.create({ sessionId: id }, null);
      await setLastActivity('a', '2026-01-01T10:00:00.000Z');
      await setLastActivity('b', '2026-01-03T10:00:00.000Z');
      await setLastActivity('c', '2026-01-02T10:00:00.000Z');
      await setLastActivity('d', '2026-01-03T10:00:00.000Z');
    });

    it('orders by last activity, newest first, ties by id', async () => {
      const { items, total } = await sut.list(100, 0, null);
      expect(items.map((s) => s.id)).toEqual(['b', 'd', 'c', 'a']);
      expect(total).toBe(4);
    });

    it('pages with limit and offset while total counts every session', async () => {
      expect(await sut.list(2, 1, null).then(({ items, total }) => ({ ids: items.map((s) => s.id), total }))).toEqual({
        ids: ['d', 'c'],
        total: 4,
      });
      expect((await sut.list(2, 4, null)).items).toEqual([]);
    });

    it('returns dates, counts and agents as they are stored', async () => {
      await store.commit('c', { messages: [userMessage('x')], agentSwitch: agentSwitch('ask') });
      const c = (await sut.list(100, 0, null)).items.find((s) => s.id === 'c');
      expect(c).toMatchObject({ messageCount: 1, currentAgent: 'ask' });
      expect(c?.createdAt).toBeInstanceOf(Date);
      expect(c?.lastActivity.getTime()).toBeGreaterThan(new Date('2026-01-03T10:00:00.000Z').getTime());
    });
  });

  describe('rename', () => {
    it('changes the title only', async () => {
      await sut.create({ sessionId: 's1' }, null);
      await setLastActivity('s1', '2026-01-01T10:00:00.000Z');
      const view = await sut.rename('s1', 'Renamed', null);
      expect(view.title).toBe('Renamed');
      expect(view.lastActivity.toISOString()).toBe('2026-01-01T10:00:00.000Z');
    });

    it('fails with session_not_found for an unknown id', async () => {
      expect((await domainErrorOf(sut.rename('nope', 'x', null))).code).toBe(DomainErrorCode.SessionNotFound);
    });
  });

  describe('delete', () => {
    it('deletes the session with its messages, agent context and approvals, and nothing else', async () => {
      for (const id of ['gone', 'kept']) {
        await sut.create({ sessionId: id }, null);
        await store.commit(id, { messages: [userMessage('hi')], newApprovals: [newApproval()], agentSwitch: agentSwitch('coder') });
      }

      await sut.delete('gone', null);

      expect(await sut.isVisible('gone', null)).toBe(false);
      for (const entity of [MessageEntity, AgentContextEntity, PendingApprovalEntity]) {
        const repository = moduleRef.get<Repository<{ sessionId: string }>>(getRepositoryToken(entity));
        expect({ entity: entity.name, gone: await repository.countBy({ sessionId: 'gone' }) }).toEqual({
          entity: entity.name,
          gone: 0,
        });
        expect(await repository.countBy({ sessionId: 'kept' })).toBe(1);
      }
    });

    it('fails with session_not_found for an unknown id', async () => {
      expect((await domainErrorOf(sut.delete('nope', null))).code).toBe(DomainErrorCode.SessionNotFound);
    });
  });
});
