import type { ServerFrame } from '../api/wire';
import { applyFrame, EMPTY_TRANSCRIPT, itemsFromHistory, Transcript, visibleItems, withHistory, withUserMessage } from './transcript';

const apply = (frames: ServerFrame[], start: Transcript = EMPTY_TRANSCRIPT): Transcript => frames.reduce(applyFrame, start);

describe('transcript', () => {
  it('turns the stored history into bubbles, with tool answers attached to their calls and switches as markers', () => {
    const items = itemsFromHistory(
      [
        { role: 'user', content: 'write a file' },
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'write_file', arguments: '{"path":"a"}' } }] },
        { role: 'tool', tool_call_id: 'c1', content: 'ok' },
        { role: 'assistant', content: 'Done.' },
      ],
      [{ from: 'orchestrator', to: 'coder', reason: 'Keyword match', timestamp: '2026-01-05T10:00:00.000Z' }],
    );
    expect(items.map((i) => i.kind)).toEqual(['agent_switch', 'user', 'tool_call', 'assistant']);
    expect(items[2]).toMatchObject({ kind: 'tool_call', callId: 'c1', toolName: 'write_file', args: { path: 'a' }, result: 'ok', index: 1 });
    expect(items[3]).toMatchObject({ kind: 'assistant', text: 'Done.', index: 3, streaming: false });
  });

  it('keeps arguments that are not JSON as text and reports a tool answer without its call', () => {
    const items = itemsFromHistory(
      [
        { role: 'assistant', content: '', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'read_file', arguments: '{oops' } }] },
        { role: 'tool', tool_call_id: 'nope', content: 'lost' },
      ],
      [],
    );
    expect(items[0]).toMatchObject({ args: '{oops' });
    expect(items[1]).toMatchObject({ kind: 'error', text: 'Tool answer without its call: lost' });
  });

  it('streams tokens into one bubble and replaces them with the final text', () => {
    const streaming = apply([
      { type: 'agent_switched', content: 'Switched', from_agent: 'orchestrator', to_agent: 'coder', reason: 'r', metadata: { from_agent: 'orchestrator', to_agent: 'coder', reason: 'r', confidence: 'medium' }, is_final: false, seq: 1 },
      { type: 'assistant_message', token: 'You ', is_final: false, seq: 2 },
      { type: 'assistant_message', token: 'said', is_final: false, seq: 3 },
    ]);
    expect(visibleItems(streaming).map((i) => i.kind)).toEqual(['agent_switch', 'assistant']);
    expect(streaming.live[1]).toMatchObject({ text: 'You said', streaming: true });
    const done = applyFrame(streaming, { type: 'assistant_message', content: 'You said: hi', token: '', is_final: true, seq: 4 });
    expect(done.live[1]).toMatchObject({ text: 'You said: hi', streaming: false, cancelled: false });
  });

  it('marks a cancelled answer with the text produced so far', () => {
    const t = apply([
      { type: 'assistant_message', token: 'You ', is_final: false, seq: 5 },
      { type: 'cancelled', content: 'You ', is_final: true, seq: 6 },
    ]);
    expect(t.live).toEqual([expect.objectContaining({ kind: 'assistant', text: 'You ', streaming: false, cancelled: true })]);
  });

  it('keeps the cancelled mark on the stored answer after the next history load', () => {
    const t = apply([{ type: 'cancelled', content: 'You said: w0 w1', is_final: true, seq: 6 }]);
    const stored = itemsFromHistory([{ role: 'user', content: 'w0 w1 w2' }, { role: 'assistant', content: 'You said: w0 w1' }], []);
    const reloaded = withHistory(t, stored, 6);
    expect(reloaded.live).toEqual([]);
    expect(reloaded.stored[1]).toMatchObject({ kind: 'assistant', index: 1, cancelled: true });
    const again = withHistory(reloaded, itemsFromHistory([{ role: 'user', content: 'w0 w1 w2' }, { role: 'assistant', content: 'You said: w0 w1' }, { role: 'user', content: 'next' }], []), 9);
    expect(again.stored[1]).toMatchObject({ cancelled: true });
  });

  it('replaces a call that needed approval by the approved call with the same id', () => {
    const t = apply([
      { type: 'tool_call', call_id: 'c', tool_name: 'write_file', arguments: { path: 'a' }, requires_approval: true, is_final: true, seq: 1 },
      { type: 'tool_call', call_id: 'c', tool_name: 'write_file', arguments: { path: 'b' }, requires_approval: false, is_final: true, seq: 2 },
    ]);
    expect(t.live).toHaveLength(1);
    expect(t.live[0]).toMatchObject({ kind: 'tool_call', args: { path: 'b' }, requiresApproval: false });
  });

  it('keeps showing the arguments a call was re-sent with (an edit) once the history, which keeps the model\'s, is loaded', () => {
    const t = apply([
      { type: 'tool_call', call_id: 'c', tool_name: 'write_file', arguments: { path: 'a' }, requires_approval: true, is_final: true, seq: 1 },
      { type: 'tool_call', call_id: 'c', tool_name: 'write_file', arguments: { path: 'b' }, requires_approval: false, is_final: true, seq: 2 },
    ]);
    const history = itemsFromHistory(
      [
        { role: 'user', content: 'write it' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'write_file', arguments: '{"path":"a"}' } }] },
      ],
      [],
    );
    const loaded = withHistory(t, history, 2);
    expect(loaded.live).toEqual([]);
    expect(loaded.stored.find((i) => i.kind === 'tool_call')).toMatchObject({ callId: 'c', args: { path: 'b' } });
    // A later load still knows it.
    expect(withHistory(loaded, history, 5).stored.find((i) => i.kind === 'tool_call')).toMatchObject({ args: { path: 'b' } });
  });

  it('shows errors, and ignores status and session_info', () => {
    const t = apply([
      { type: 'status', state: 'idle', current_agent: 'coder', last_seq: 3, is_final: false },
      { type: 'session_info', session_id: 's', is_final: false },
      { type: 'error', content: 'No pending tool call with call_id x', error: 'No pending tool call with call_id x', is_final: true },
    ]);
    expect(t.live).toEqual([expect.objectContaining({ kind: 'error', text: 'No pending tool call with call_id x' })]);
  });

  it('a history load keeps only what came after the frame it includes, and the user message sent meanwhile', () => {
    let t = apply([{ type: 'assistant_message', content: 'a', token: 'a', is_final: true, seq: 4 }]);
    t = withUserMessage(t, 'next question', 4);
    t = applyFrame(t, { type: 'assistant_message', token: 'x', is_final: false, seq: 5 });
    const stored = itemsFromHistory([{ role: 'assistant', content: 'a' }], []);
    const reloaded = withHistory(t, stored, 4);
    expect(visibleItems(reloaded).map((i) => ('text' in i ? i.text : i.kind))).toEqual(['a', 'next question', 'x']);
    expect(withHistory(reloaded, stored, 5).live).toEqual([]);
  });
});
