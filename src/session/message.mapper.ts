import { ChatMessage, ChatRole, ToolCallSpec } from '../protocol/chat-message';

/** The columns of `messages` that make up a chat message, as a raw query returns them. */
export const MESSAGE_COLUMNS = 'role, content, name, tool_call_id, tool_calls';

export interface MessageRow {
  readonly role: ChatRole;
  readonly content: string | null;
  readonly name: string | null;
  readonly tool_call_id: string | null;
  /** JSON text of the tool calls, or null. */
  readonly tool_calls: string | null;
}

/** A stored message in OpenAI Chat Completions form; absent fields are omitted, not null. */
export function toChatMessage(row: MessageRow): ChatMessage {
  const toolCalls = row.tool_calls === null ? [] : (JSON.parse(row.tool_calls) as ToolCallSpec[]);
  return {
    role: row.role,
    content: row.content ?? (row.role === 'assistant' ? '' : null),
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.tool_call_id !== null ? { tool_call_id: row.tool_call_id } : {}),
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
  };
}
