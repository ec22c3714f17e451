import { ChatRole, ToolCallSpec } from '../protocol/chat-message';
import { MessageRow, toChatMessage } from './message.mapper';

interface RowInput {
  role: ChatRole;
  content?: string | null;
  name?: string | null;
  toolCallId?: string | null;
  toolCalls?: ToolCallSpec[] | null;
  agent?: string | null;
}

function row(input: RowInput): MessageRow {
  return {
    role: input.role,
    content: input.content ?? null,
    name: input.name ?? null,
    tool_call_id: input.toolCallId ?? null,
    tool_calls: input.toolCalls ? JSON.stringify(input.toolCalls) : null,
  };
}

describe(toChatMessage.name, () => {
  it('maps a user message to role and content only', () => {
    expect(toChatMessage(row({ role: 'user', content: 'hi', agent: 'coder' }))).toStrictEqual({ role: 'user', content: 'hi' });
  });

  it('maps an assistant tool-call turn with empty content and JSON-string arguments', () => {
    const toolCalls = [
      { id: 'call_1', type: 'function' as const, function: { name: 'write_file', arguments: '{"path":"a.py","content":"x"}' } },
    ];
    expect(toChatMessage(row({ role: 'assistant', content: null, toolCalls }))).toStrictEqual({
      role: 'assistant',
      content: '',
      tool_calls: toolCalls,
    });
  });

  it('omits an empty tool_calls list', () => {
    expect(toChatMessage(row({ role: 'assistant', content: 'done', toolCalls: [] }))).toStrictEqual({
      role: 'assistant',
      content: 'done',
    });
  });

  it('maps a tool answer with its tool_call_id', () => {
    expect(toChatMessage(row({ role: 'tool', content: 'ok', toolCallId: 'call_1' }))).toStrictEqual({
      role: 'tool',
      content: 'ok',
      tool_call_id: 'call_1',
    });
  });

  it('keeps a name when there is one', () => {
    expect(toChatMessage(row({ role: 'user', content: 'hi', name: 'alice' }))).toStrictEqual({
      role: 'user',
      content: 'hi',
      name: 'alice',
    });
  });

  it('keeps a null content of a non-assistant message as null', () => {
    expect(toChatMessage(row({ role: 'tool', content: null, toolCallId: 'c' })).content).toBeNull();
  });
});
