import { DomainError, DomainErrorCode } from '../../common/domain.error';
import { ChatMessage, ToolCallSpec } from '../../protocol/chat-message';
import { isJsonObject } from '../../protocol/json';

/** A message accepted for import: OpenAI Chat Completions form, text only, tool calls well formed. */
export interface ImportedMessage {
  readonly role: 'user' | 'assistant' | 'tool';
  readonly content: string | null;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly ToolCallSpec[];
}

const MAX_ID = 128;
const MAX_TOOL_NAME = 64;
const MAX_NAME = 128;

class MessageProblem extends Error {}

const invalid = (message: string): DomainError => new DomainError(DomainErrorCode.InvalidRequest, message);

/**
 * Checks imported messages one by one, in order, and returns them normalised. Throws a 400 naming the
 * first bad message: an unknown role, content that is not text, a malformed tool call, a `tool`
 * message that answers no earlier unanswered call, a user or assistant message while a call is still
 * unanswered, or calls left unanswered at the end.
 */
export function validateImportedMessages(value: unknown, field = 'messages'): ImportedMessage[] {
  if (!Array.isArray(value)) throw invalid(`${field} must be an array of OpenAI Chat Completions messages`);
  const tracker = new ToolCallTracker();
  const out: ImportedMessage[] = [];
  value.forEach((raw: unknown, i) => {
    try {
      const message = parseMessage(raw);
      tracker.accept(message, i);
      out.push(message);
    } catch (error) {
      if (error instanceof MessageProblem) throw invalid(`${field}[${i}]: ${error.message}`);
      throw error;
    }
  });
  const open = tracker.firstOpen();
  if (open) {
    throw invalid(`${field}[${open.index}]: tool call ${open.id} has no answer (a session waiting for a tool result cannot be imported)`);
  }
  return out;
}

/**
 * The first tool call of `messages` that is not answered by the end of the list, if any (a fork must
 * not cut between a call and its answer). The list is assumed to be a stored, valid history.
 */
export function firstUnansweredCall(messages: readonly ChatMessage[]): { id: string; index: number } | undefined {
  const open = new Map<string, number>();
  messages.forEach((m, i) => {
    for (const call of m.tool_calls ?? []) open.set(call.id, i);
    if (m.role === 'tool' && m.tool_call_id !== undefined) open.delete(m.tool_call_id);
  });
  const [first] = [...open.entries()].sort((a, b) => a[1] - b[1]);
  return first ? { id: first[0], index: first[1] } : undefined;
}

class ToolCallTracker {
  /** Unanswered call id → index of the assistant message that made it. */
  private readonly open = new Map<string, number>();

  accept(message: ImportedMessage, index: number): void {
    if (message.role === 'tool') {
      const id = message.tool_call_id ?? '';
      if (!this.open.has(id)) throw new MessageProblem(`tool_call_id ${id} answers no earlier unanswered tool call`);
      this.open.delete(id);
      return;
    }
    const waiting = this.firstOpen();
    if (waiting) {
      throw new MessageProblem(`a ${message.role} message while tool call ${waiting.id} of messages[${waiting.index}] has no answer yet`);
    }
    for (const call of message.tool_calls ?? []) {
      if (this.open.has(call.id)) throw new MessageProblem(`tool call id ${call.id} is used twice`);
      this.open.set(call.id, index);
    }
  }

  firstOpen(): { id: string; index: number } | undefined {
    const first = this.open.entries().next();
    return first.done ? undefined : { id: first.value[0], index: first.value[1] };
  }
}

function parseMessage(raw: unknown): ImportedMessage {
  if (!isJsonObject(raw)) throw new MessageProblem('must be an object');
  const role = raw['role'];
  if (role === 'system' || role === 'developer') {
    throw new MessageProblem(`role ${role} is not accepted: a session's history holds no system prompts (each agent brings its own)`);
  }
  if (role !== 'user' && role !== 'assistant' && role !== 'tool') {
    throw new MessageProblem(`role must be user, assistant or tool (got ${JSON.stringify(role) ?? 'nothing'})`);
  }
  const content = textContent(raw['content']);
  const name = optionalString(raw['name'], 'name', MAX_NAME);
  const base: ImportedMessage = { role, content, ...(name !== undefined ? { name } : {}) };
  if (role === 'user') {
    if (!content) throw new MessageProblem('a user message needs text content');
    return base;
  }
  if (role === 'tool') {
    const id = raw['tool_call_id'];
    if (typeof id !== 'string' || id.length === 0) throw new MessageProblem('a tool message needs a tool_call_id');
    if (content === null) throw new MessageProblem('a tool message needs text content');
    return { ...base, tool_call_id: id };
  }
  const calls = raw['tool_calls'] === undefined || raw['tool_calls'] === null ? [] : toolCalls(raw['tool_calls']);
  if (calls.length === 0 && content === null) throw new MessageProblem('an assistant message needs content or tool_calls');
  return calls.length > 0 ? { ...base, content: content ?? '', tool_calls: calls } : base;
}

/** A string, null, or an array of `{type:"text", text}` parts (joined by newlines). */
function textContent(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (!Array.isArray(value)) throw new MessageProblem('content must be a string, null or an array of text parts');
  return value
    .map((part: unknown, i) => {
      if (!isJsonObject(part) || part['type'] !== 'text' || typeof part['text'] !== 'string') {
        const type = isJsonObject(part) ? JSON.stringify(part['type']) : 'none';
        throw new MessageProblem(`content[${i}] is not a text part (type ${type}); only text can be imported`);
      }
      return part['text'];
    })
    .join('\n');
}

function toolCalls(value: unknown): ToolCallSpec[] {
  if (!Array.isArray(value)) throw new MessageProblem('tool_calls must be an array');
  return value.map((call: unknown, i) => {
    const at = `tool_calls[${i}]`;
    if (!isJsonObject(call)) throw new MessageProblem(`${at} must be an object`);
    const id = call['id'];
    if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID) throw new MessageProblem(`${at}.id must be a string of 1-${MAX_ID} characters`);
    if (call['type'] !== 'function') throw new MessageProblem(`${at}.type must be "function"`);
    const fn = call['function'];
    if (!isJsonObject(fn)) throw new MessageProblem(`${at}.function must be an object`);
    const name = fn['name'];
    if (typeof name !== 'string' || name.length === 0 || name.length > MAX_TOOL_NAME) {
      throw new MessageProblem(`${at}.function.name must be a string of 1-${MAX_TOOL_NAME} characters`);
    }
    const args = fn['arguments'];
    if (typeof args !== 'string' || !isJsonObjectText(args)) throw new MessageProblem(`${at}.function.arguments must be a JSON object in a string`);
    return { id, type: 'function' as const, function: { name, arguments: args } };
  });
}

function isJsonObjectText(text: string): boolean {
  try {
    return isJsonObject(JSON.parse(text));
  } catch {
    return false;
  }
}

function optionalString(value: unknown, field: string, max: number): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.length > max) throw new MessageProblem(`${field} must be a string of at most ${max} characters`);
  return value;
}
