import type { ModelEvent, ModelRequest } from './chat-model';
import { EchoChatModel } from './echo-chat-model';

const ask = async (model: EchoChatModel, messages: ModelRequest['messages'], signal = new AbortController().signal) => {
  const events: ModelEvent[] = [];
  for await (const event of model.stream({ messages, tools: [], signal })) events.push(event);
  return events;
};
const textOf = (events: ModelEvent[]) => events.map((e) => (e.type === 'text' ? e.delta : '')).join('');

describe(EchoChatModel.name, () => {
  it('answers with the user’s words, streamed in several pieces, deterministically', async () => {
    const messages = [
      { role: 'system' as const, content: 'prompt' },
      { role: 'user' as const, content: 'make it faster please' },
    ];
    const events = await ask(new EchoChatModel(), messages);
    expect(events.length).toBeGreaterThan(1);
    expect(textOf(events)).toBe('You said: make it faster please');
    expect(await ask(new EchoChatModel(), messages)).toEqual(events);
  });

  it('calls a tool on /tool and quotes the tool’s answer afterwards', async () => {
    const call = await ask(new EchoChatModel(), [{ role: 'user', content: '/tool read_file {"path":"a"}' }]);
    expect(call).toEqual([{ type: 'tool_calls', calls: [{ id: 'echo_call', name: 'read_file', arguments: '{"path":"a"}' }] }]);
    const after = await ask(new EchoChatModel(), [{ role: 'tool', content: 'x'.repeat(600), tool_call_id: 'c' }]);
    expect(textOf(after)).toBe(`The tool returned: ${'x'.repeat(500)}…`);
  });

  it('answers in exactly N pieces when configured (benchmarks)', async () => {
    const events = await ask(new EchoChatModel(50), [{ role: 'user', content: 'hi' }]);
    expect(events).toHaveLength(50);
    expect(textOf(events).startsWith('You said: hi ')).toBe(true);
  });

  it('waits the configured delay before each piece, and a cancel ends the wait at once', async () => {
    const model = new EchoChatModel(0, 40);
    const started = Date.now();
    const events = await ask(model, [{ role: 'user', content: 'one two three' }]);
    expect(textOf(events)).toBe('You said: one two three');
    expect(Date.now() - started).toBeGreaterThanOrEqual(events.length * 40 - 5);

    const controller = new AbortController();
    const slow = new EchoChatModel(0, 60_000);
    const pending = ask(slow, [{ role: 'user', content: 'hi' }], controller.signal);
    setTimeout(() => controller.abort(), 20);
    await expect(pending).rejects.toThrow(/abort/i);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(ask(new EchoChatModel(), [{ role: 'user', content: 'hi' }], controller.signal)).rejects.toThrow('aborted');
  });
});
