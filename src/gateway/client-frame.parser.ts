import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { flattenValidationErrors } from '../common/validation-errors';
import { ClientFrame, ClientFrameType } from '../protocol/client-frames';
import { isJsonObject, JsonObject } from '../protocol/json';
import { CancelDto, HitlDecisionDto, SwitchAgentDto, ToolResultDto, UserMessageDto } from './dto/client-frame.dto';
import { plainFrame } from './plain-frame';

export interface FrameLimits {
  readonly maxJsonDepth: number;
  readonly maxMessageChars: number;
}

export type ParseResult = { readonly ok: true; readonly frame: ClientFrame } | { readonly ok: false; readonly error: string };

const DTO_BY_TYPE: Record<ClientFrameType, new () => object> = {
  user_message: UserMessageDto,
  tool_result: ToolResultDto,
  switch_agent: SwitchAgentDto,
  hitl_decision: HitlDecisionDto,
  cancel: CancelDto,
};

/** Text of one WebSocket frame → a validated client frame, or the error text PROTOCOL §2.3 prescribes. */
export function parseClientFrameText(text: string, limits: FrameLimits): ParseResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof RangeError ? 'nested too deeply' : (error as Error).message;
    return { ok: false, error: `Invalid JSON: ${reason}` };
  }
  return parseClientFrame(parsed, limits);
}

/** An already-decoded JSON value → a validated client frame. */
export function parseClientFrame(value: unknown, limits: FrameLimits): ParseResult {
  if (!isJsonObject(value)) return { ok: false, error: 'Invalid JSON: a frame must be a JSON object' };
  const shape = inspect(value, limits.maxJsonDepth);
  if (shape === 'too-deep') {
    return { ok: false, error: `Invalid JSON: nested deeper than ${limits.maxJsonDepth} levels` };
  }
  const type = value['type'];
  if (type === undefined || type === null || type === '') return { ok: false, error: 'Message type is required' };
  if (typeof type !== 'string' || !Object.hasOwn(DTO_BY_TYPE, type)) {
    return { ok: false, error: `Unknown message type: ${typeof type === 'string' ? type : JSON.stringify(type)}` };
  }
  const frameType = type as ClientFrameType;
  const content = value['content'];
  if (frameType === 'user_message' && typeof content === 'string' && content.length > limits.maxMessageChars) {
    return { ok: false, error: `Invalid user_message: content must be at most ${limits.maxMessageChars} characters` };
  }
  const plain = withoutNulls(value);
  // Well-formed frames are built directly; the DTOs judge the rest (and word every refusal).
  const fast = shape === 'plain' ? plainFrame(frameType, plain) : undefined;
  if (fast) return { ok: true, frame: fast };
  return dtoFrame(frameType, plain);
}

/** The frame as the class-validator DTOs judge it (the slow path; exported for the fast path's spec). */
export function dtoFrame(frameType: ClientFrameType, plain: JsonObject): ParseResult {
  const dto = plainToInstance(DTO_BY_TYPE[frameType], plain);
  const errors = validateSync(dto, { forbidUnknownValues: false });
  if (errors.length > 0) {
    return { ok: false, error: `Invalid ${frameType}: ${flattenValidationErrors(errors)}` };
  }
  return { ok: true, frame: toFrame(frameType, dto) };
}

function toFrame(type: ClientFrameType, dto: object): ClientFrame {
  switch (type) {
    case 'user_message': {
      const d = dto as UserMessageDto;
      return { type, content: d.content, ...(d.agent_type ? { agent_type: d.agent_type } : {}) };
    }
    case 'tool_result': {
      const d = dto as ToolResultDto;
      return {
        type,
        call_id: d.call_id,
        ...(d.result !== undefined ? { result: d.result } : {}),
        ...(d.error !== undefined ? { error: d.error } : {}),
        ...(d.tool_name !== undefined ? { tool_name: d.tool_name } : {}),
      };
    }
    case 'switch_agent': {
      const d = dto as SwitchAgentDto;
      return { type, agent_type: d.agent_type, ...(d.reason !== undefined ? { reason: d.reason } : {}) };
    }
    case 'hitl_decision': {
      const d = dto as HitlDecisionDto;
      return {
        type,
        call_id: d.call_id,
        decision: d.decision,
        ...(d.modified_arguments !== undefined ? { modified_arguments: d.modified_arguments } : {}),
        ...(d.feedback !== undefined ? { feedback: d.feedback } : {}),
      };
    }
    case 'cancel':
      return { type };
  }
}

/**
 * Iterative depth check (no recursion, so a hostile frame cannot overflow the stack); also tells
 * whether some object has a `__proto__` key, which class-transformer treats specially (such frames
 * always go through the DTOs, as before).
 */
function inspect(root: JsonObject, maxDepth: number): 'too-deep' | 'proto-key' | 'plain' {
  let protoKey = false;
  const stack: { value: unknown; depth: number }[] = [{ value: root, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop() as { value: unknown; depth: number };
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return 'too-deep';
    if (!Array.isArray(value) && Object.hasOwn(value, '__proto__')) protoKey = true;
    for (const child of Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
  return protoKey ? 'proto-key' : 'plain';
}

/** Top-level `null` means "absent" (the reference IDE writes every key, with nulls). */
function withoutNulls(value: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== null));
}
