import { parseClientFrame, parseClientFrameText } from './client-frame.parser';

const limits = { maxJsonDepth: 8, maxMessageChars: 20 };
const parse = (text: string) => parseClientFrameText(text, limits);

describe(parseClientFrameText.name, () => {
  it('accepts the IDE shape with null keys and drops what the runtime does not use', () => {
    expect(parse('{"type":"user_message","content":"hi","role":"user","agent_type":null,"call_id":null}')).toEqual({
      ok: true,
      frame: { type: 'user_message', content: 'hi' },
    });
    expect(parse('{"type":"tool_result","call_id":"c1","tool_name":"read_file","result":{"a":[1,null]}}')).toEqual({
      ok: true,
      frame: { type: 'tool_result', call_id: 'c1', tool_name: 'read_file', result: { a: [1, null] } },
    });
    expect(parse('{"type":"hitl_decision","call_id":"c","decision":"edit","modified_arguments":{"path":"x"},"feedback":"ok"}')).toEqual({
      ok: true,
      frame: { type: 'hitl_decision', call_id: 'c', decision: 'edit', modified_arguments: { path: 'x' }, feedback: 'ok' },
    });
    expect(parse('{"type":"cancel"}')).toEqual({ ok: true, frame: { type: 'cancel' } });
  });

  it.each([
    ['{', /^Invalid JSON: /],
    ['"text"', /^Invalid JSON: a frame must be a JSON object$/],
    ['{"type":null}', /^Message type is required$/],
    ['{"type":""}', /^Message type is required$/],
    ['{"type":7}', /^Unknown message type: 7$/],
    ['{"type":"__proto__"}', /^Unknown message type: __proto__$/],
    ['{"type":"toString"}', /^Unknown message type: toString$/],
    ['{"type":"user_message","content":"' + 'x'.repeat(21) + '"}', /at most 20 characters/],
    ['{"type":"user_message","content":"x","role":"wizard"}', /role/],
    ['{"type":"switch_agent"}', /agent_type/],
    ['{"type":"tool_result","call_id":""}', /call_id/],
    [JSON.stringify({ type: 'tool_result', call_id: 'c', result: [[[[[[[[[1]]]]]]]]] }), /nested deeper than 8 levels/],
  ])('%s → %s', (text, pattern) => {
    const result = parse(text);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(pattern);
  });

  it('parses already-decoded values the same way (the SSE endpoint)', () => {
    expect(parseClientFrame({ type: 'switch_agent', agent_type: 'ask', reason: 'why' }, limits)).toEqual({
      ok: true,
      frame: { type: 'switch_agent', agent_type: 'ask', reason: 'why' },
    });
  });
});
