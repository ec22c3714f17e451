import { TestingModule } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import {
  agentSwitch,
  assistantMessage,
  assistantToolCalls,
  awaitingCall,
  newApproval,
  toolAnswer,
  toolCallSpec,
  userMessage,
} from '../../test/factories/conversation.factory';
import { createSessionStoreModule } from '../../test/utils/session-store-testing';
import { DomainError, DomainErrorCode } from '../common/domain.error';
import { ConversationStore } from './conversation-store.service';
import { AgentContextEntity } from './entities/agent-context.entity';
import { MessageEntity } from './entities/message.entity';
import { PendingApprovalEntity } from './entities/pending-approval.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionHistoryService } from './session-history.service';
import { SessionService } from './session.service';

describe(ConversationStore.name, () => {
  let moduleRef: TestingModule;
  let sut: ConversationStore;
  let sessions: SessionService;
  let history: SessionHistoryService;
  let messageRows: Repository<MessageEntity>;
  let contextRows: Repository<AgentContextEntity>;
  let approvalRows: Repository<PendingApprovalEntity>;
  let sessionRows: Repository<SessionEntity>;

  beforeEach(async () => {
    moduleRef = await createSessionStoreModule([ConversationStore, SessionService, SessionHistoryService]);
    await moduleRef.init();
    sut = moduleRef.get(ConversationStore);
    sessions = moduleRef.get(SessionService);
    history = moduleRef.get(SessionHistoryService);
    messageRows = moduleRef.get(getRepositoryToken(MessageEntity));
    contextRows = moduleRef.get(getRepositoryToken(AgentContextEntity));
    approvalRows = moduleRef.get(getRepositoryToken(PendingApprovalEntity));
    sessionRows = moduleRef.get(getRepositoryToken(SessionEntity));
  });

  afterEach(async () => {
    await moduleRef.close();
  });

  const seqsOf = async (sessionId: string): Promise<number[]> =>
    (await messageRows.find({ where: { sessionId }, order: { seq: 'ASC' } })).map((m) => m.seq);

  const contentsOf = async (sessionId: string): Promise<(string | null)[]> =>
    (await history.history(sessionId, null)).messages.map((m) => m.content);

  describe('load', () => {
    it('returns null for a session that does not exist', async () => {
      expect(await sut.load('missing')).toBeNull();
    });

    it('starts a new session with the orchestrator and no pending tool calls', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      expect(await sut.load('s1')).toEqual({ sessionId: 's1', currentAgent: 'orchestrator', awaitingToolCalls: [] });
    });
  });

  describe('commit', () => {
    it('appends messages with consecutive seq across commits and keeps message_count in step', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', { messages: [userMessage('one'), assistantMessage('two')] });
      await sut.commit('s1', { messages: [] });
      await sut.commit('s1', { messages: [userMessage('three')] });

      expect(await seqsOf('s1')).toEqual([0, 1, 2]);
      expect(await contentsOf('s1')).toEqual(['one', 'two', 'three']);
      expect((await sessions.get('s1', null)).messageCount).toBe(3);
    });

    it('stores messages in OpenAI form, including tool calls with JSON-string arguments', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      const call = toolCallSpec('call_1', 'read_file', { path: 'a.py' });
      await sut.commit('s1', {
        messages: [userMessage('read a.py'), assistantToolCalls(call), toolAnswer('call_1', 'print(1)')],
      });

      expect((await history.history('s1', null)).messages).toStrictEqual([
        { role: 'user', content: 'read a.py' },
        { role: 'assistant', content: '', tool_calls: [call] },
        { role: 'tool', content: 'print(1)', tool_call_id: 'call_1' },
      ]);
      const stored = await messageRows.findOneByOrFail({ sessionId: 's1', seq: 1 });
      expect(stored.agent).toBe('coder');
    });

    it('moves last_activity forward and leaves created_at alone', async () => {
      const created = await sessions.create({ sessionId: 's1' }, null);
      await sessionRows.update({ id: 's1' }, { lastActivity: new Date('2020-01-01T00:00:00.000Z') });
      await sut.commit('s1', { messages: [userMessage('hi')] });

      const after = await sessions.get('s1', null);
      expect(after.lastActivity.getTime()).toBeGreaterThanOrEqual(created.lastActivity.getTime());
      expect(after.createdAt).toEqual(created.createdAt);
    });

    it('takes the title from the first user message only, folded to one line', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', { messages: [assistantMessage('Hello, how can I help?')] });
      expect((await sessions.get('s1', null)).title).toBeNull();

      await sut.commit('s1', { messages: [userMessage('  Create\n\thello.py   please ')] });
      expect((await sessions.get('s1', null)).title).toBe('Create hello.py please');

      await sut.commit('s1', { messages: [userMessage('Something else entirely')] });
      expect((await sessions.get('s1', null)).title).toBe('Create hello.py please');
    });

    it('keeps a title that was set explicitly', async () => {
      await sessions.create({ sessionId: 's1', title: 'My chat' }, null);
      await sut.commit('s1', { messages: [userMessage('Create hello.py')] });
      expect((await sessions.get('s1', null)).title).toBe('My chat');
    });

    it('records agent switches in agent_contexts', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      const first = agentSwitch('coder', { timestamp: '2026-01-05T10:00:01.000Z' });
      const second = agentSwitch('debug', { from: 'coder', timestamp: '2026-01-05T10:05:00.000Z', confidence: 'low' });
      await sut.commit('s1', { agentSwitch: first });
      await sut.commit('s1', { agentSwitch: second });

      const row = await contextRows.findOneByOrFail({ sessionId: 's1' });
      expect(row.currentAgent).toBe('debug');
      expect(row.agentHistory).toEqual([first, second]);
      expect(row.switchCount).toBe(2);
      expect(row.lastSwitchAt).toEqual(new Date('2026-01-05T10:05:00.000Z'));
      expect((await sut.load('s1'))?.currentAgent).toBe('debug');
      expect((await sessions.get('s1', null)).currentAgent).toBe('debug');
    });

    it('stores awaiting tool calls in context_metadata until they are replaced', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      const calls = [awaitingCall(), awaitingCall({ callId: 'call_read', toolName: 'read_file', requiresApproval: false, sent: false })];
      await sut.commit('s1', { awaitingToolCalls: calls });

      expect((await contextRows.findOneByOrFail({ sessionId: 's1' })).contextMetadata).toEqual({ awaiting_tool_calls: calls });
      expect((await sut.load('s1'))?.awaitingToolCalls).toEqual(calls);

      await sut.commit('s1', { messages: [userMessage('unrelated')] });
      expect((await sut.load('s1'))?.awaitingToolCalls).toEqual(calls);

      await sut.commit('s1', { awaitingToolCalls: [] });
      expect((await sut.load('s1'))?.awaitingToolCalls).toEqual([]);
    });

    it('creates pending approvals and records decisions', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', {
        newApprovals: [
          newApproval({ callId: 'call_a' }),
          newApproval({ callId: 'call_b', toolName: 'execute_command', arguments: { command: 'ls' } }),
        ],
      });
      expect((await history.pendingApprovals('s1', null)).map((a) => a.callId)).toEqual(['call_a', 'call_b']);

      await sut.commit('s1', {
        approvalDecisions: [
          { callId: 'call_a', status: 'approved', reason: 'edited by user', arguments: { path: 'hi.py', content: '' } },
          { callId: 'call_b', status: 'rejected', reason: 'not now' },
        ],
      });

      expect(await history.pendingApprovals('s1', null)).toEqual([]);
      const a = await approvalRows.findOneByOrFail({ sessionId: 's1', callId: 'call_a' });
      expect(a).toMatchObject({ status: 'approved', decisionReason: 'edited by user', arguments: { path: 'hi.py', content: '' } });
      expect(a.decidedAt).toBeInstanceOf(Date);
      const b = await approvalRows.findOneByOrFail({ sessionId: 's1', callId: 'call_b' });
      expect(b).toMatchObject({ status: 'rejected', decisionReason: 'not now', arguments: { command: 'ls' } });
    });

    it('does not change an approval that was already decided', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', { newApprovals: [newApproval({ callId: 'call_a' })] });
      await sut.commit('s1', { approvalDecisions: [{ callId: 'call_a', status: 'rejected', reason: 'first' }] });
      await sut.commit('s1', { approvalDecisions: [{ callId: 'call_a', status: 'approved', reason: 'second' }] });

      expect(await approvalRows.findOneByOrFail({ sessionId: 's1', callId: 'call_a' })).toMatchObject({
        status: 'rejected',
        decisionReason: 'first',
      });
    });

    it('fails with session_not_found for a missing session and writes nothing', async () => {
      const error = await sut
        .commit('missing', {
          messages: [userMessage('hello')],
          newApprovals: [newApproval()],
          agentSwitch: agentSwitch('coder'),
          awaitingToolCalls: [awaitingCall()],
        })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).code).toBe(DomainErrorCode.SessionNotFound);
      expect(await messageRows.count()).toBe(0);
      expect(await approvalRows.count()).toBe(0);
      expect(await contextRows.count()).toBe(0);
      expect(await sessionRows.count()).toBe(0);
    });

    it('writes all or nothing: a failing part rolls back the messages of the same commit', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', { messages: [userMessage('first')], newApprovals: [newApproval({ callId: 'dup' })] });

      await expect(
        sut.commit('s1', { messages: [userMessage('second')], newApprovals: [newApproval({ callId: 'dup' })] }),
      ).rejects.toThrow();

      expect(await contentsOf('s1')).toEqual(['first']);
      expect((await sessions.get('s1', null)).messageCount).toBe(1);
      await sut.commit('s1', { messages: [userMessage('third')] });
      expect(await seqsOf('s1')).toEqual([0, 1]);
    });

    it('serializes concurrent commits to one session: nothing lost, no turn interleaved', async () => {
      await sessions.create({ sessionId: 's1' }, null);
      const turns = Array.from({ length: 25 }, (_, i) => i);
      await Promise.all(
        turns.map((i) => sut.commit('s1', { messages: [userMessage(`u${i}`), assistantMessage(`a${i}`)] })),
      );

      const contents = await contentsOf('s1');
      expect(contents).toHaveLength(50);
      expect(await seqsOf('s1')).toEqual(Array.from({ length: 50 }, (_, i) => i));
      const pairs = Array.from({ length: 25 }, (_, k) => [contents[2 * k], contents[2 * k + 1]]);
      for (const [user, assistant] of pairs) {
        expect(assistant).toBe(user?.replace(/^u/, 'a'));
      }
      expect(new Set(pairs.map(([user]) => user))).toEqual(new Set(turns.map((i) => `u${i}`)));
      expect((await sessions.get('s1', null)).messageCount).toBe(50);
    });

    it('keeps concurrent commits to different sessions apart', async () => {
      const ids = ['s1', 's2', 's3'];
      for (const id of ids) await sessions.create({ sessionId: id }, null);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          ids.map((id) => sut.commit(id, { messages: [userMessage(`${id}-u${i}`), assistantMessage(`${id}-a${i}`)] })),
        ).flat(),
      );

      for (const id of ids) {
        const contents = await contentsOf(id);
        expect(contents).toHaveLength(20);
        expect(contents.every((c) => c?.startsWith(`${id}-`))).toBe(true);
        expect(await seqsOf(id)).toEqual(Array.from({ length: 20 }, (_, i) => i));
        expect((await sessions.get(id, null)).messageCount).toBe(20);
      }
    });
  });

  describe('recentMessages', () => {
    beforeEach(async () => {
      await sessions.create({ sessionId: 's1' }, null);
      await sut.commit('s1', {
        messages: [
          userMessage('list and read'),
          assistantToolCalls(toolCallSpec('c1', 'list_files', { path: '.' }), toolCallSpec('c2', 'read_file', { path: 'a' })),
          toolAnswer('c1', '["a"]'),
          toolAnswer('c2', 'x = 1'),
          assistantMessage('done'),
          userMessage('thanks'),
        ],
      });
    });

    it('returns the last messages oldest first', async () => {
      expect((await sut.recentMessages('s1', 2)).map((m) => m.content)).toEqual(['done', 'thanks']);
      expect(await sut.recentMessages('s1', 100)).toHaveLength(6);
    });

    it.each([
      [3, ['done', 'thanks']],
      [4, ['done', 'thanks']],
    ])('never starts with a tool message (limit %i)', async (limit, expected) => {
      const messages = await sut.recentMessages('s1', limit);
      expect(messages.map((m) => m.content)).toEqual(expected);
      expect(messages[0]?.role).not.toBe('tool');
    });

    it('keeps a tool call together with its answers when the cut falls before them', async () => {
      expect((await sut.recentMessages('s1', 5)).map((m) => m.role)).toEqual([
        'assistant',
        'tool',
        'tool',
        'assistant',
        'user',
      ]);
    });

    it('returns nothing for a session without messages', async () => {
      await sessions.create({ sessionId: 'empty' }, null);
      expect(await sut.recentMessages('empty', 10)).toEqual([]);
    });
  });
});
