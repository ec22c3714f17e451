/** Chat history in OpenAI Chat Completions form: what the REST history returns and models receive. */
export type ChatRole = 'system' | 'user' | 'assistant' | 'tool';

export interface ToolCallSpec {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export interface ChatMessage {
  readonly role: ChatRole;
  readonly content: string | null;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly ToolCallSpec[];
}
