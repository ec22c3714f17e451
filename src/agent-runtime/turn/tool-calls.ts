import { randomBytes } from 'node:crypto';
import type { AgentType } from '../../protocol/agent-type';
import type { ToolCallSpec } from '../../protocol/chat-message';
import { isJsonObject, JsonObject } from '../../protocol/json';
import { TOOLS_REQUIRING_APPROVAL } from '../../protocol/tools';
import type { AwaitingToolCall, NewApproval, NewMessage } from '../../session/conversation-state';
import type { ModelToolCall } from '../model/chat-model';
import { toolCallRefusal } from './tool-arguments';

export interface PreparedCall {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject | null;
  readonly rawArguments: string;
  readonly refusal: string | null;
}

/**
 * Gives each call of a model answer a fresh, session-unique id (providers reuse ids such as `call_0`,
 * which would collide across turns) and decides whether the current agent may make it (its tool rules and
 * the tool's argument schema).
 */
export function prepareToolCalls(agent: AgentType, calls: readonly ModelToolCall[]): PreparedCall[] {
  return calls.map((call) => {
    const args = parseArguments(call.arguments);
    const refusal =
      args === null
        ? `The model sent invalid arguments for "${call.name}" (a JSON object is required)`
        : toolCallRefusal(agent, call.name, args, 'model');
    return {
      callId: `call_${randomBytes(12).toString('hex')}`,
      toolName: call.name,
      arguments: args,
      rawArguments: call.arguments,
      refusal,
    };
  });
}

export function toToolCallSpecs(calls: readonly PreparedCall[]): ToolCallSpec[] {
  return calls.map((c) => ({
    id: c.callId,
    type: 'function',
    function: { name: c.toolName, arguments: c.arguments ? JSON.stringify(c.arguments) : c.rawArguments },
  }));
}

/** History answers for a refused batch: the model must see an answer to every call it made. */
export function refusalAnswers(calls: readonly PreparedCall[]): NewMessage[] {
  const refused = calls.find((c) => c.refusal !== null);
  return calls.map((c) => ({
    role: 'tool',
    toolCallId: c.callId,
    content: c.refusal ? `Error: ${c.refusal}` : `Not run: ${refused?.refusal ?? 'another call was refused'}`,
  }));
}

/**
 * History answers when the user's edit of `refused` is refused: that call gets the error, every other
 * call still waiting from the same model answer is closed as not run, so each call has exactly one answer.
 */
export function refusedEditAnswers(waiting: readonly AwaitingToolCall[], refused: AwaitingToolCall, refusal: string): NewMessage[] {
  return waiting.map((c) => ({
    role: 'tool',
    toolCallId: c.callId,
    content: c.callId === refused.callId ? `Error: ${refusal}` : `Not run: ${refusal}`,
  }));
}

export function toAwaiting(calls: readonly PreparedCall[]): AwaitingToolCall[] {
  return calls.map((c, index) => ({
    callId: c.callId,
    toolName: c.toolName,
    arguments: c.arguments ?? {},
    requiresApproval: TOOLS_REQUIRING_APPROVAL.has(c.toolName),
    sent: index === 0,
  }));
}

export function approvalsFor(calls: readonly AwaitingToolCall[]): NewApproval[] {
  return calls
    .filter((c) => c.requiresApproval)
    .map((c) => ({ callId: c.callId, toolName: c.toolName, arguments: c.arguments, reason: approvalReason(c.toolName) }));
}

function approvalReason(toolName: string): string {
  return toolName === 'execute_command'
    ? 'Command execution requires user approval'
    : 'File modification requires user approval';
}

/** The text stored as a tool's answer (OpenAI `role:"tool"` content is a string). */
export function toolAnswerContent(result: unknown, error: string | undefined): string {
  if (error !== undefined) return `Error: ${error}`;
  if (result === undefined || result === null) return 'Tool executed successfully';
  return typeof result === 'string' ? result : JSON.stringify(result);
}

function parseArguments(raw: string): JsonObject | null {
  if (raw.trim() === '') return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return isJsonObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}
