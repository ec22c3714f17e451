import type { AgentType } from '../../src/protocol/agent-type';
import { isJsonObject, JsonObject, JsonValue } from '../../src/protocol/json';
import type { ServerFrame } from '../../src/protocol/server-frames';

/** Frames this client sends (PROTOCOL §2.2, §2.5). */
export type ClientFrame =
  | { readonly type: 'user_message'; readonly content: string; readonly role: 'user'; readonly agent_type?: AgentType }
  | {
      readonly type: 'tool_result';
      readonly call_id: string;
      readonly tool_name: string;
      readonly result?: JsonValue;
      readonly error?: string;
    }
  | { readonly type: 'switch_agent'; readonly agent_type: string; readonly reason?: string }
  | {
      readonly type: 'hitl_decision';
      readonly call_id: string;
      readonly decision: 'approve' | 'edit' | 'reject';
      readonly modified_arguments?: JsonObject;
      readonly feedback?: string;
    }
  | { readonly type: 'cancel' };

/** A frame of a type this client does not know (shown, never acted on). */
export interface UnknownFrame {
  readonly type: string;
  readonly seq?: number;
  readonly is_final?: boolean;
  readonly raw: JsonObject;
}

export type IncomingFrame =
  | { readonly known: true; readonly frame: ServerFrame }
  | { readonly known: false; readonly frame: UnknownFrame };

const str = (o: JsonObject, key: string): boolean => typeof o[key] === 'string';
const bool = (o: JsonObject, key: string): boolean => typeof o[key] === 'boolean';
const num = (o: JsonObject, key: string): boolean => typeof o[key] === 'number';

/** The keys each known frame must carry for this client to use it. */
const SHAPES: Readonly<Record<ServerFrame['type'], (o: JsonObject) => boolean>> = {
  session_info: (o) => str(o, 'session_id'),
  assistant_message: (o) => str(o, 'token') || str(o, 'content'),
  tool_call: (o) => str(o, 'call_id') && str(o, 'tool_name') && isJsonObject(o['arguments']),
  agent_switched: (o) => str(o, 'to_agent') || isJsonObject(o['metadata']),
  error: (o) => str(o, 'content') || str(o, 'error'),
  status: (o) => str(o, 'state') && num(o, 'last_seq'),
  cancelled: () => true,
};

/** Parses one text frame from the service; `null` when it is not a JSON object with a string `type`. */
export function parseIncoming(text: string): IncomingFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isJsonObject(value) || typeof value['type'] !== 'string') return null;
  const type = value['type'];
  if (!bool(value, 'is_final') && value['is_final'] !== undefined) return null;
  const shape = (SHAPES as Readonly<Record<string, (o: JsonObject) => boolean>>)[type];
  if (shape?.(value)) {
    // The checks above cover every key this client reads from the frame.
    return { known: true, frame: value as unknown as ServerFrame };
  }
  const seq = value['seq'];
  const isFinal = value['is_final'];
  return {
    known: false,
    frame: {
      type,
      raw: value,
      ...(typeof seq === 'number' ? { seq } : {}),
      ...(typeof isFinal === 'boolean' ? { is_final: isFinal } : {}),
    },
  };
}

/** `from_agent`/`to_agent`/`reason` of an `agent_switched` frame, top level or inside `metadata`. */
export function switchOf(frame: Extract<ServerFrame, { type: 'agent_switched' }>): {
  from: string;
  to: string;
  reason: string;
} {
  const meta: Partial<Record<'from_agent' | 'to_agent' | 'reason', string>> = frame.metadata ?? {};
  return {
    from: frame.from_agent ?? meta.from_agent ?? '?',
    to: frame.to_agent ?? meta.to_agent ?? '?',
    reason: frame.reason ?? meta.reason ?? '',
  };
}
