import { expect } from '@jest/globals';
import { take } from 'rxjs';
import { DelayedFanout } from '../../test/utils/delayed-fanout';
import { collect, createRuntimeModule, RuntimeTesting } from '../../test/utils/runtime-testing';
import type { ServerFrame } from '../protocol/server-frames';
import { ConversationStore } from '../session/conversation-store.service';
import { AgentRuntimeService, RuntimeCommand, TurnFrame } from './agent-runtime.service';
import { SESSION_FANOUT } from './events/session-fanout';

describe(AgentRuntimeService.name, () => {
  let testing: RuntimeTesting;
  let sut: AgentRuntimeService;
  let store: ConversationStore;

  beforeEach(async () => {
    testing = await createRuntimeModule();
    sut = testing.moduleRef.get(AgentRuntimeService);
    store = testing.moduleRef.get(ConversationStore);
  });

  afterEach(async () => {
    await testing.moduleRef.close();
  });

  const command = (frame: TurnFrame, sessionId = 's1'): RuntimeCommand => ({ sessionId, owner: null, frame });
  const send = (frame: TurnFrame, sessionId = 's1'): Promise<ServerFrame[]> => collect(sut.handle(command(frame, sessionId)));
  const shape = (frames: readonly ServerFrame[]) => frames.map((f) => `${f.type}${f.is_final ? '!' : ''}`);

  it('a plain turn: routing, streamed pieces, one final answer; numbered, logged and stored', async () => {
    testing.model.script({ text: ['Found ', 'it.'] });
    const frames = await send({ type: 'user_message', content: 'please debug this crash' });

    expect(shape(frames)).toEqual(['agent_switched', 'assistant_message', 'assistant_message', 'assistant_message!']);
    expect(frames[0]).toMatchObject({ from_agent: 'orchestrator', to_agent: 'debug', is_final: false });
    expect(frames.slice(1).map((f) => (f.type === 'assistant_message' ? [f.token, f.content] : []))).toEqual([
      ['Found ', undefined],
      ['it.', undefined],
      ['', 'Found it.'],
    ]);
    expect(frames.map((f) => f.seq)).toEqual([1, 2, 3, 4]);
    expect(testing.log.of('s1')).toEqual(frames);
    const [request] = testing.model.requests;
    expect(request?.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(request?.tools.map((t) => t.function.name)).toContain('execute_command');
    expect((await store.recentMessages('s1', 10)).map((m) => [m.role, m.content])).toEqual([
      ['user', 'please debug this crash'],
      ['assistant', 'Found it.'],
    ]);
    expect(await sut.status('s1')).toEqual({ exists: true, state: 'idle', currentAgent: 'debug', lastSeq: 4 });
  });

  it('a reply can leave out the streamed pieces (compat) or every numbered frame (protocol 2); the stream keeps them all', async () => {
    testing.model.script({ text: ['Found ', 'it.'] }, { text: ['Again.'] });
    const whole = await collect(sut.handle({ ...command({ type: 'user_message', content: 'please debug this crash' }), reply: 'no_deltas' }));
    expect(shape(whole)).toEqual(['agent_switched', 'assistant_message!']);
    const unnumbered = await collect(sut.handle({ ...command({ type: 'user_message', content: 'and again' }), reply: 'unnumbered' }));
    expect(unnumbered).toEqual([]);
    const missing = await collect(sut.handle({ ...command({ type: 'tool_result', call_id: 'nope', result: 'x' }, 'nobody'), reply: 'unnumbered' }));
    expect(shape(missing)).toEqual(['error!']);
    expect(shape(testing.log.of('s1'))).toEqual([
      'agent_switched',
      'assistant_message',
      'assistant_message',
      'assistant_message!',
      'assistant_message',
      'assistant_message!',
    ]);
  });

  it("the reply is a view of the session's stream: through a fan-out that delivers later it is whole and in order", async () => {
    const delayed = await createRuntimeModule([{ provide: SESSION_FANOUT, useClass: DelayedFanout }]);
    try {
      delayed.model.script({ text: ['Found ', 'it.'] });
      const runtime = delayed.moduleRef.get(AgentRuntimeService);
      const watched: ServerFrame[] = [];
      const following = runtime.watch('s1', 0).subscribe((f) => watched.push(f));
      const frames = await collect(runtime.handle(command({ type: 'user_message', content: 'please debug this crash' })));
      following.unsubscribe();
      expect(shape(frames)).toEqual(['agent_switched', 'assistant_message', 'assistant_message', 'assistant_message!']);
      expect(frames).toEqual(delayed.log.of('s1'));
      expect(watched).toEqual(frames);
    } finally {
      await delayed.moduleRef.close();
    }
  });

  it('stores the user message and the routing switch in one commit, and sends agent_switched only after it', async () => {
    testing.model.script({ text: ['Done.'] }, { text: ['Planned.'] });
    const commits: string[] = [];
    const commit = store.commit.bind(store);
    jest.spyOn(store, 'commit').mockImplementation(async (sessionId, changes) => {
      await commit(sessionId, changes);
      commits.push([...(changes.messages ?? []).map((m) => m.role), ...(changes.agentSwitch ? [`switch:${changes.agentSwitch.to}`] : [])].join('+'));
    });
    const frames: ServerFrame[] = [];
    await new Promise<void>((resolve) =>
      sut.handle(command({ type: 'user_message', content: 'please debug this crash' })).subscribe({
        next: (f) => {
          frames.push(f);
          if (f.type === 'agent_switched') commits.push('<agent_switched sent>');
        },
        complete: resolve,
      }),
    );
    expect(commits).toEqual(['user+switch:debug', '<agent_switched sent>', 'assistant']);
    // Asked for the orchestrator: the asked-for switch with the message, then routing's own switch.
    commits.length = 0;
    const second = await send({ type: 'user_message', content: 'design the plan', agent_type: 'orchestrator' });
    expect(commits).toEqual(['user+switch:orchestrator', 'switch:architect', 'assistant']);
    expect(shape(second)).toEqual(['agent_switched', 'agent_switched', 'assistant_message', 'assistant_message!']);
    expect(frames.map((f) => f.type)).toContain('agent_switched');
  });

  it('a tool call pauses the turn (awaiting_tool) and its result resumes it', async () => {
    testing.model.script({ text: ['Let me look.'], calls: [{ name: 'read_file', arguments: '{"path":"src/app.ts"}' }] }, { text: ['It exports App.'] });
    const first = await send({ type: 'user_message', content: 'explain src/app.ts', agent_type: 'ask' });
    const call = first.at(-1);
    expect(call).toMatchObject({ type: 'tool_call', tool_name: 'read_file', arguments: { path: 'src/app.ts' }, requires_approval: false, is_final: true });
    expect((await sut.status('s1')).state).toBe('awaiting_tool');
    const callId = call?.type === 'tool_call' ? call.call_id : '';

    const second = await send({ type: 'tool_result', call_id: callId, tool_name: 'read_file', result: 'export class App {}' });
    expect(shape(second)).toEqual(['assistant_message', 'assistant_message!']);
    expect(second.at(-1)).toMatchObject({ content: 'It exports App.' });
    const resumed = testing.model.requests[1]?.messages ?? [];
    expect(resumed.at(-1)).toEqual({ role: 'tool', tool_call_id: callId, content: 'export class App {}' });
    expect((await sut.status('s1')).state).toBe('idle');
    expect(second[0]?.seq).toBe((first.at(-1)?.seq ?? 0) + 1);
  });

  it("refuses a tool the agent may not use: an error frame, and the model's call answered in history", async () => {
    testing.model.script({ calls: [{ name: 'write_file', arguments: '{"path":"a.md","content":"x"}' }] });
    const frames = await send({ type: 'user_message', content: 'what is this?', agent_type: 'ask' });
    expect(shape(frames)).toEqual(['agent_switched', 'error!']);
    expect(frames.at(-1)).toMatchObject({ content: expect.stringContaining('The ask agent may not use the tool "write_file"') });
    const history = await store.recentMessages('s1', 10);
    expect(history.at(-1)).toMatchObject({ role: 'tool', content: expect.stringMatching(/^Error: The ask agent may not use/) });
    expect((await sut.status('s1')).state).toBe('idle');
  });

  it('cancel stops the running turn, answers cancelled with the partial text, and keeps it', async () => {
    testing.model.script({ text: ['Half an ans'], stall: true });
    const reply = collect(sut.handle(command({ type: 'user_message', content: 'write the code', agent_type: 'coder' })));
    await testing.model.untilStalled();
    expect((await sut.status('s1')).state).toBe('running');

    expect(await sut.cancel('s1')).toBe(true);
    const frames = await reply;
    expect(frames.at(-1)).toMatchObject({ type: 'cancelled', content: 'Half an ans', is_final: true });
    expect((await sut.status('s1')).state).toBe('idle');
    expect(await sut.cancel('s1')).toBe(false);
    expect((await store.recentMessages('s1', 10)).at(-1)).toMatchObject({ role: 'assistant', content: 'Half an ans' });
  });

  it('runs the frames of one session one at a time, in arrival order', async () => {
    testing.model.script({ text: ['one'] }, { text: ['two'] });
    const [a, b] = await Promise.all([
      send({ type: 'user_message', content: 'first', agent_type: 'ask' }),
      send({ type: 'user_message', content: 'second' }),
    ]);
    expect(a?.at(-1)).toMatchObject({ content: 'one' });
    expect(b?.at(-1)).toMatchObject({ content: 'two' });
    expect(Math.max(...(a ?? []).map((f) => f.seq ?? 0))).toBeLessThan(Math.min(...(b ?? []).map((f) => f.seq ?? 0)));
  });

  it('answers a tool_result for an unknown session with an error frame, creating nothing', async () => {
    const frames = await send({ type: 'tool_result', call_id: 'call_x', tool_name: 'read_file', result: 'x' }, 'ghost');
    expect(frames).toEqual([{ type: 'error', content: 'Session ghost not found', error: 'Session ghost not found', is_final: true }]);
    expect(await sut.status('ghost')).toEqual({ exists: false, state: 'idle', currentAgent: 'orchestrator', lastSeq: 0 });
    expect(testing.model.requests).toHaveLength(0);
  });

  it('watch replays the logged frames after a seq, then relays live ones, without gap or repeat', async () => {
    testing.model.script({ text: ['a'] }, { text: ['b'] });
    const first = await send({ type: 'user_message', content: 'hello', agent_type: 'ask' });
    const expected = 2 + 2; // the rest of the first reply after seq 1, then the second reply (2 frames)
    const watched = collect(sut.watch('s1', 1).pipe(take(expected)));
    const second = await send({ type: 'user_message', content: 'again' });
    expect((await watched).map((f) => f.seq)).toEqual([...first.slice(1), ...second].map((f) => f.seq));
  });

  it('at shutdown starts no new turn and flushes the log', async () => {
    await sut.beforeApplicationShutdown();
    expect(sut.draining).toBe(true);
    const frames = await send({ type: 'user_message', content: 'late' });
    expect(frames).toEqual([expect.objectContaining({ type: 'error', content: expect.stringContaining('shutting down') })]);
    expect(testing.log.flushes).toBe(1);
    expect(testing.model.requests).toHaveLength(0);
  });
});
