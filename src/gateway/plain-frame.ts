import { isAgentType } from '../protocol/agent-type';
import type { ClientFrame, ClientFrameType, HitlDecision } from '../protocol/client-frames';
import { isJsonObject, JsonObject } from '../protocol/json';

const ROLES: readonly unknown[] = ['user', 'assistant', 'system', 'tool'];
const DECISIONS: readonly unknown[] = ['approve', 'edit', 'reject'];
const NOT_BLANK = /\S/;

/**
 * The fast path of frame validation: the frame built straight from a decoded, well-formed value, or
 * `undefined` for anything it is not sure of. It accepts only values the class-validator DTOs
 * (dto/client-frame.dto.ts) accept, and builds the same frame from them, so the parser asks the DTOs
 * only for the rest — and every refusal keeps the DTOs' exact error text. Length limits are checked on
 * the UTF-16 length, never shorter than the length the DTOs count, so a value near a limit goes the slow way.
 * `value` has no top-level nulls (they mean absent) and is within the depth limit.
 */
export function plainFrame(type: ClientFrameType, value: JsonObject): ClientFrame | undefined {
  switch (type) {
    case 'user_message': {
      const { content, role, agent_type } = value;
      if (typeof content !== 'string' || !NOT_BLANK.test(content)) return undefined;
      if (role !== undefined && !ROLES.includes(role)) return undefined;
      if (agent_type !== undefined && !isAgentType(agent_type)) return undefined;
      return { type, content, ...(agent_type ? { agent_type } : {}) };
    }
    case 'tool_result': {
      const { call_id, result, error, tool_name } = value;
      if (!isCallId(call_id) || !optionalString(error) || !optionalString(tool_name)) return undefined;
      return {
        type,
        call_id,
        ...(result !== undefined ? { result } : {}),
        ...(error !== undefined ? { error } : {}),
        ...(tool_name !== undefined ? { tool_name } : {}),
      };
    }
    case 'switch_agent': {
      const { agent_type, reason } = value;
      if (!isAgentType(agent_type) || !optionalString(reason) || (reason !== undefined && reason.length > 1000)) return undefined;
      return { type, agent_type, ...(reason !== undefined ? { reason } : {}) };
    }
    case 'hitl_decision': {
      const { call_id, decision, modified_arguments, feedback } = value;
      if (!isCallId(call_id) || !DECISIONS.includes(decision) || !optionalString(feedback)) return undefined;
      if (modified_arguments !== undefined && !isJsonObject(modified_arguments)) return undefined;
      return {
        type,
        call_id,
        decision: decision as HitlDecision,
        ...(modified_arguments !== undefined ? { modified_arguments } : {}),
        ...(feedback !== undefined ? { feedback } : {}),
      };
    }
    case 'cancel':
      return { type };
  }
}

function isCallId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= 128;
}

function optionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}
