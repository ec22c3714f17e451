import { expect } from '@jest/globals';
import { createRuntimeModule, RuntimeTesting } from '../../../test/utils/runtime-testing';
import { DomainErrorCode } from '../../common/domain.error';
import type { ServerFrame, ToolCallFrame } from '../../protocol/server-frames';
import { ConversationStore } from '../../session/conversation-store.service';
import { SessionService } from '../../session/session.service';
import { ConversationTurns } from './conversation-turns.service';
import { TurnContext } from './turn-context';

describe(ConversationTurns.name, () => {
  let testing: RuntimeTesting;
  let sut: ConversationTurns;
  let store: ConversationStore;
  let frames: ServerFrame[];
  let ctx: TurnContext;

  beforeEach(async () => {
    testing = await createRuntimeModule();
    sut = testing.moduleRef.get(ConversationTurns);
    store = testing.moduleRef.get(ConversationStore);
    await testing.moduleRef.get(SessionService).ensure('s1', null);
    frames = [];
    ctx = { sessionId: 's1', signal: new AbortController().signal, offerTools: true, emit: (frame) => frames.push(frame) };
  });

  afterEach(async () => {
    await testing.moduleRef.close();
  });

  /** The frames emitted by one step, then forgets them. */
  const take = (): ServerFrame[] => frames.splice(0);
  const lastToolCall = (emitted: ServerFrame[]): ToolCallFrame => {
    const call = emitted.at(-1);
    if (call?.type !== 'tool_call') throw new Error(`expected a tool_call, got ${JSON.stringify(emitted)}`);
    return call;
  };
  const history = async () => (await store.recentMessages('s1', 50)).map((m) => [m.role, m.content]);

  describe('userMessage', () => {
    it('routes from the orchestrator by keywords, then lets the chosen agent answer', async () => {
      testing.model.script({ text: ['A plan.'] });
      await sut.userMessage(ctx, { type: 'user_message', content: 'design the architecture' });
      expect(take()).toEqual([
        expect.objectContaining({ type: 'agent_switched', from_agent: 'orchestrator', to_agent: 'architect', is_final: false }),
        expect.objectContaining({ type: 'assistant_message', token: 'A plan.', is_final: false }),
        expect.objectContaining({ type: 'assistant_message', content: 'A plan.', is_final: true }),
      ]);
      expect(testing.model.requests[0]?.messages[0]?.content).toContain('architect');
      expect((await store.load('s1'))?.currentAgent).toBe('architect');
    });

    it('honours agent_type (high confidence) and does not route again', async () => {
      testing.model.script({ text: ['ok'] });
      await sut.userMessage(ctx, { type: 'user_message', content: 'fix the bug', agent_type: 'ask' });
      expect(take()[0]).toMatchObject({ type: 'agent_switched', to_agent: 'ask', reason: 'User requested agent switch' });
      expect((await store.load('s1'))?.currentAgent).toBe('ask');
    });

    it('answers a tool call the user ignored before storing the new message', async () => {
      testing.model.script({ calls: [{ name: 'read_file', arguments: '{"path":"a.ts"}' }] }, { text: ['fine'] });
      await sut.userMessage(ctx, { type: 'user_message', content: 'read a.ts', agent_type: 'ask' });
      const call = lastToolCall(take());
      await sut.userMessage(ctx, { type: 'user_message', content: 'never mind' });
      expect((await store.load('s1'))?.awaitingToolCalls).toEqual([]);
      expect((await history()).slice(-3)).toEqual([
        ['tool', 'Not run: the user sent a new message instead of answering this tool call.'],
        ['user', 'never mind'],
        ['assistant', 'fine'],
      ]);
      expect(testing.model.requests[1]?.messages.some((m) => m.role === 'tool' && m.tool_call_id === call.call_id)).toBe(true);
    });

    it('throws session_not_found for a session that does not exist', async () => {
      await expect(sut.userMessage({ ...ctx, sessionId: 'ghost' }, { type: 'user_message', content: 'hi' })).rejects.toMatchObject({
        code: DomainErrorCode.SessionNotFound,
      });
    });
  });

  describe('toolResult', () => {
    it('sends the next call of the same answer first, and lets the model go on after the last one', async () => {
      testing.model.script(
        { calls: [{ name: 'list_files', arguments: '{"path":"."}' }, { name: 'read_file', arguments: '{"path":"b.ts"}' }] },
        { text: ['Two files.'] },
      );
      await sut.userMessage(ctx, { type: 'user_message', content: 'look around', agent_type: 'ask' });
      const first = lastToolCall(take());
      expect(first.tool_name).toBe('list_files');

      await sut.toolResult(ctx, { type: 'tool_result', call_id: first.call_id, tool_name: 'list_files', result: ['b.ts'] });
      const second = lastToolCall(take());
      expect(second).toMatchObject({ tool_name: 'read_file', arguments: { path: 'b.ts' } });
      expect(testing.model.requests).toHaveLength(1);

      await sut.toolResult(ctx, { type: 'tool_result', call_id: second.call_id, tool_name: 'read_file', error: 'ENOENT' });
      expect(take().at(-1)).toMatchObject({ type: 'assistant_message', content: 'Two files.', is_final: true });
      expect((await history()).slice(-3)).toEqual([
        ['tool', '["b.ts"]'],
        ['tool', 'Error: ENOENT'],
        ['assistant', 'Two files.'],
      ]);
    });

    it('refuses a result for a call that is not pending', async () => {
      await expect(sut.toolResult(ctx, { type: 'tool_result', call_id: 'call_nope', tool_name: 'read_file' })).rejects.toMatchObject({
        code: DomainErrorCode.NotPending,
        message: 'No pending tool call with call_id call_nope',
      });
      expect(take()).toEqual([]);
    });
  });

  describe('hitlDecision', () => {
    const askToWrite = async (): Promise<ToolCallFrame> => {
      testing.model.script({ calls: [{ name: 'write_file', arguments: '{"path":"notes.md","content":"x"}' }] });
      await sut.userMessage(ctx, { type: 'user_message', content: 'write notes', agent_type: 'coder' });
      const call = lastToolCall(take());
      expect(call.requires_approval).toBe(true);
      return call;
    };

    it('approve sends the same call to the IDE, now without approval, and marks it sent', async () => {
      const call = await askToWrite();
      await sut.hitlDecision(ctx, { type: 'hitl_decision', call_id: call.call_id, decision: 'approve' });
      expect(take()).toEqual([{ ...call, requires_approval: false }]);
      expect((await store.load('s1'))?.awaitingToolCalls).toEqual([
        expect.objectContaining({ callId: call.call_id, requiresApproval: false, sent: true }),
      ]);
    });

    it('reject answers the call with the feedback and lets the model go on', async () => {
      const call = await askToWrite();
      testing.model.script({ text: ['Understood.'] });
      await sut.hitlDecision(ctx, { type: 'hitl_decision', call_id: call.call_id, decision: 'reject', feedback: 'too risky' });
      expect(take().at(-1)).toMatchObject({ type: 'assistant_message', content: 'Understood.' });
      expect(testing.model.requests[1]?.messages.at(-1)).toEqual({
        role: 'tool',
        tool_call_id: call.call_id,
        content: 'Rejected by the user: too risky',
      });
      expect((await store.load('s1'))?.awaitingToolCalls).toEqual([]);
    });

    it('refuses a decision on a call that needs no approval', async () => {
      testing.model.script({ calls: [{ name: 'read_file', arguments: '{"path":"a.ts"}' }] });
      await sut.userMessage(ctx, { type: 'user_message', content: 'read it', agent_type: 'ask' });
      const call = lastToolCall(take());
      await expect(sut.hitlDecision(ctx, { type: 'hitl_decision', call_id: call.call_id, decision: 'approve' })).rejects.toMatchObject({
        code: DomainErrorCode.NotPending,
      });
      expect(take()).toEqual([]);
    });
  });

  it('switchAgent records the switch and answers with one final agent_switched', async () => {
    await sut.switchAgent(ctx, { type: 'switch_agent', agent_type: 'debug', reason: ' ' });
    expect(take()).toEqual([
      expect.objectContaining({ type: 'agent_switched', from_agent: 'orchestrator', to_agent: 'debug', reason: 'User requested agent switch', is_final: true }),
    ]);
    expect((await store.load('s1'))?.currentAgent).toBe('debug');
    expect(testing.model.requests).toHaveLength(0);
  });
});
