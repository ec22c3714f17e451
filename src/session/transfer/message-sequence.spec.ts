import { DomainError } from '../../common/domain.error';
import { firstUnansweredCall, validateImportedMessages } from './message-sequence';

const call = (id: string) => ({ id, type: 'function' as const, function: { name: 'read_file', arguments: '{"path":"a"}' } });
const problem = (messages: unknown): string => {
  try {
    validateImportedMessages(messages);
  } catch (error) {
    if (error instanceof DomainError) return error.message;
    throw error;
  }
  return 'accepted';
};

describe(validateImportedMessages.name, () => {
  it('accepts answered calls, several per assistant message, in any answer order, and reuses of an answered id', () => {
    const messages = [
      { role: 'user', content: 'go' },
      { role: 'assistant', content: null, tool_calls: [call('a'), call('b')] },
      { role: 'tool', tool_call_id: 'b', content: [{ type: 'text', text: 'B' }] },
      { role: 'tool', tool_call_id: 'a', content: 'A' },
      { role: 'assistant', content: 'again', tool_calls: [call('a')] },
      { role: 'tool', tool_call_id: 'a', content: 'A2', name: 'read_file' },
    ];
    expect(validateImportedMessages(messages)).toEqual([
      { role: 'user', content: 'go' },
      { role: 'assistant', content: '', tool_calls: [call('a'), call('b')] },
      { role: 'tool', content: 'B', tool_call_id: 'b' },
      { role: 'tool', content: 'A', tool_call_id: 'a' },
      { role: 'assistant', content: 'again', tool_calls: [call('a')] },
      { role: 'tool', content: 'A2', name: 'read_file', tool_call_id: 'a' },
    ]);
  });

  it('names the first bad message', () => {
    expect(problem([{ role: 'assistant', content: null, tool_calls: [call('a'), call('a')] }])).toBe('messages[0]: tool call id a is used twice');
    expect(problem([{ role: 'user', content: 'x', name: 'n'.repeat(129) }])).toBe('messages[0]: name must be a string of at most 128 characters');
    expect(problem([{ role: 'assistant', content: 'x', tool_calls: [{ ...call('a'), type: 'code' }] }])).toBe('messages[0]: tool_calls[0].type must be "function"');
    expect(problem([{ role: 'tool', content: 'x' }])).toBe('messages[0]: a tool message needs a tool_call_id');
    expect(problem([null])).toBe('messages[0]: must be an object');
  });
});

describe(firstUnansweredCall.name, () => {
  it('finds the earliest call without an answer', () => {
    expect(
      firstUnansweredCall([
        { role: 'assistant', content: '', tool_calls: [call('a'), call('b')] },
        { role: 'tool', content: 'A', tool_call_id: 'a' },
      ]),
    ).toEqual({ id: 'b', index: 0 });
    expect(firstUnansweredCall([{ role: 'user', content: 'hi' }])).toBeUndefined();
  });
});
