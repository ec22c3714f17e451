import { parseToolArguments } from './mcp-tool-arguments';

describe(parseToolArguments.name, () => {
  it('accepts input alone and fills the defaults', () => {
    expect(parseToolArguments({ input: 'hi' })).toEqual({ input: 'hi', parameters: {}, sessionId: '' });
  });

  it('keeps parameters and session_id', () => {
    expect(parseToolArguments({ input: 'hi', parameters: { a: '1' }, session_id: 's1' })).toEqual({
      input: 'hi',
      parameters: { a: '1' },
      sessionId: 's1',
    });
  });

  it.each([
    [null, 'arguments must be an object with "input"'],
    [['input'], 'arguments must be an object with "input"'],
    [{}, 'input is required and must be a string'],
    [{ input: 5 }, 'input is required and must be a string'],
    [{ input: 'x', session_id: 7 }, 'session_id must be a string'],
    [{ input: 'x', parameters: 'a=1' }, 'parameters must be an object of strings'],
    [{ input: 'x', parameters: { ok: 'y', n: 2 } }, 'parameters.n must be a string'],
  ])('refuses %j: %s', (args, reason) => {
    expect(parseToolArguments(args)).toBe(reason);
  });
});
