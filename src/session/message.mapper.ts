import { ChatMessage } from '../protocol/chat-message';
import { MessageEntity } from './entities/message.entity';

/** A stored message in OpenAI Chat Completions form; absent fields are omitted, not null. */
export function toChatMessage(row: MessageEntity): ChatMessage {
  return {
    role: row.role,
    content: row.content ?? (row.role === 'assistant' ? '' : null),
    ...(row.name !== null ? { name: row.name } : {}),
    ...(row.toolCallId !== null ? { tool_call_id: row.toolCallId } : {}),
    ...(row.toolCalls !== null && row.toolCalls.length > 0 ? { tool_calls: row.toolCalls } : {}),
  };
}
