import type { AgentType } from './agent-type';
import type { JsonObject, JsonValue } from './json';

/** Client → service frames after validation (PROTOCOL §2.2, §2.5). */
export interface UserMessageFrame {
  readonly type: 'user_message';
  readonly content: string;
  readonly agent_type?: AgentType;
}

export interface ToolResultFrame {
  readonly type: 'tool_result';
  readonly call_id: string;
  readonly result?: JsonValue;
  readonly error?: string;
  readonly tool_name?: string;
}

export interface SwitchAgentFrame {
  readonly type: 'switch_agent';
  readonly agent_type: AgentType;
  readonly reason?: string;
}

export type HitlDecision = 'approve' | 'edit' | 'reject';

export interface HitlDecisionFrame {
  readonly type: 'hitl_decision';
  readonly call_id: string;
  readonly decision: HitlDecision;
  readonly modified_arguments?: JsonObject;
  readonly feedback?: string;
}

export interface CancelFrame {
  readonly type: 'cancel';
}

export type ClientFrame = UserMessageFrame | ToolResultFrame | SwitchAgentFrame | HitlDecisionFrame | CancelFrame;
export type ClientFrameType = ClientFrame['type'];
export const CLIENT_FRAME_TYPES: readonly ClientFrameType[] = [
  'user_message',
  'tool_result',
  'switch_agent',
  'hitl_decision',
  'cancel',
];
