import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { agentSwitch, newApproval, userMessage } from '../../test/factories/conversation.factory';
import { createSessionStoreModule } from '../../test/utils/session-store-testing';
import { ConversationStore } from './conversation-store.service';
import { AgentContextEntity } from './entities/agent-context.entity';
import { MessageEntity } from './entities/message.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionCleanupService } from './session-cleanup.service';
import { SessionService } from './session.service';

const NOW = new Date('2026-01-05T12:00:00.000Z');
const hoursBefore = (hours: number): Date => new Date(NOW.getTime() - hours * 3_600_000);

describe(SessionCleanupService.name, () => {
  let moduleRef: TestingModule;
  let sut: SessionCleanupService;
  let sessions: SessionService;
  let sessionRows: Repository<SessionEntity>;

  async function start(env: Record<string, string>): Promise<void> {
    moduleRef = await createSessionStoreModule([SessionCleanupService, SessionService, ConversationStore], env);
    sut = moduleRef.get(SessionCleanupService);
    sessions = moduleRef.get(SessionService);
    sessionRows = moduleRef.get(getRepositoryToken(SessionEntity));
  }

  /** A session with a message, an agent switch and an approval, last active at `lastActivity`. */
  async function seed(id: string, lastActivity: Date): Promise<void> {
    await sessions.create({ sessionId: id }, null);
    await moduleRef.get(ConversationStore).commit(id, {
      messages: [userMessage(`hello from ${id}`)],
      agentSwitch: agentSwitch('coder'),
      newApprovals: [newApproval()],
    });
    await sessionRows.update({ id }, { lastActivity });
  }

  async function rowsOf(id: string): Promise<Record<string, number>> {
    const count = (entity: typeof MessageEntity | typeof AgentContextEntity | typeof PendingApprovalEntity) =>
      moduleRef.get<Repository<{ sessionId: string }>>(getRepositoryToken(entity)).countBy({ sessionId: id });
    return {
      sessions: await sessionRows.countBy({ id }),
      messages: await count(MessageEntity),
      agent_contexts: await count(AgentContextEntity),
      pending_approvals: await count(PendingApprovalEntity),
    };
  }

  afterEach(async () => {
    await moduleRef.close();
  });

  describe('with SESSION_TTL_HOURS=2', () => {
    beforeEach(() => start({ SESSION_TTL_HOURS: '2' }));

    it('deletes only sessions idle longer than the TTL, with all their rows', async () => {
      await seed('old', hoursBefore(3));
      await seed('just-expired', new Date(hoursBefore(2).getTime() - 1));
      await seed('at-the-limit', hoursBefore(2));
      await seed('fresh', hoursBefore(0.5));

      expect(await sut.runOnce(NOW)).toBe(2);

      const none = { sessions: 0, messages: 0, agent_contexts: 0, pending_approvals: 0 };
      const all = { sessions: 1, messages: 1, agent_contexts: 1, pending_approvals: 1 };
      expect(await rowsOf('old')).toEqual(none);
      expect(await rowsOf('just-expired')).toEqual(none);
      expect(await rowsOf('at-the-limit')).toEqual(all);
      expect(await rowsOf('fresh')).toEqual(all);
    });

    it('spares a session that became active after it was picked for deletion', async () => {
      await seed('revived', hoursBefore(0.1));
      const picked = await sessionRows.findOneByOrFail({ id: 'revived' });
      // As if the session had been read as expired just before a new message arrived.
      jest.spyOn(sessionRows, 'find').mockResolvedValueOnce([picked]);

      expect(await sut.runOnce(NOW)).toBe(0);
      expect(await rowsOf('revived')).toEqual({ sessions: 1, messages: 1, agent_contexts: 1, pending_approvals: 1 });
    });

    it('deletes more expired sessions than fit in one batch', async () => {
      const expired = Array.from({ length: 1201 }, (_, i) => ({
        id: `expired-${i}`,
        title: null,
        messageCount: 0,
        createdAt: hoursBefore(10),
        lastActivity: hoursBefore(5),
      }));
      for (let i = 0; i < expired.length; i += 200) await sessionRows.insert(expired.slice(i, i + 200));
      await seed('fresh', hoursBefore(1));

      expect(await sut.runOnce(NOW)).toBe(1201);
      expect(await sessionRows.count()).toBe(1);
    });

    it('runs one cleanup at a time', async () => {
      await seed('old', hoursBefore(3));
      const first = sut.runOnce(NOW);
      const second = sut.runOnce(NOW);
      expect(second).toBe(first);
      expect(await first).toBe(1);
      expect(await sut.runOnce(NOW)).toBe(0);
    });

    it('schedules the job at start-up and stops it at shutdown', async () => {
      const setIntervalSpy = jest.spyOn(global, 'setInterval');
      const clearIntervalSpy = jest.spyOn(global, 'clearInterval');
      try {
        await moduleRef.init();
        const scheduled = setIntervalSpy.mock.calls.filter(([, ms]) => ms === 3_600_000);
        expect(scheduled).toHaveLength(1);
        await moduleRef.close();
        const timer: unknown = setIntervalSpy.mock.results[setIntervalSpy.mock.calls.indexOf(scheduled[0]!)]?.value;
        expect(clearIntervalSpy).toHaveBeenCalledWith(timer);
      } finally {
        setIntervalSpy.mockRestore();
        clearIntervalSpy.mockRestore();
      }
    });
  });

  describe('with SESSION_TTL_HOURS=0 (the default)', () => {
    beforeEach(() => start({ SESSION_TTL_HOURS: '0' }));

    it('deletes nothing, however old', async () => {
      await seed('ancient', new Date('2000-01-01T00:00:00.000Z'));
      expect(await sut.runOnce(NOW)).toBe(0);
      expect(await rowsOf('ancient')).toEqual({ sessions: 1, messages: 1, agent_contexts: 1, pending_approvals: 1 });
    });

    it('schedules no job', async () => {
      const setIntervalSpy = jest.spyOn(global, 'setInterval');
      try {
        await moduleRef.init();
        expect(setIntervalSpy.mock.calls.filter(([, ms]) => ms === 3_600_000)).toHaveLength(0);
      } finally {
        setIntervalSpy.mockRestore();
      }
    });
  });
});
