import type { AgentType } from './agent-type';
import type { JsonObject } from './json';

/**
 * Frames the service sends (PROTOCOL §2.3, §2.5). Keys are snake_case; a key whose value would be
 * null is left out. `seq` is set on frames of a session (protocol 2 numbers every one).
 */
interface FrameBase {
  readonly seq?: number;
}

export interface SessionInfoFrame extends FrameBase {
  readonly type: 'session_info';
  readonly session_id: string;
  readonly is_final: false;
}

/** `is_final:false` = one streamed piece (`token`, protocol 2 only); `is_final:true` = the whole text. */
export interface AssistantMessageFrame extends FrameBase {
  readonly type: 'assistant_message';
  readonly content?: string;
  readonly token: string;
  readonly is_final: boolean;
}

export interface ToolCallFrame extends FrameBase {
  readonly type: 'tool_call';
  readonly call_id: string;
  readonly tool_name: string;
  readonly arguments: JsonObject;
  readonly requires_approval: boolean;
  readonly is_final: true;
}

export interface AgentSwitchedFrame extends FrameBase {
  readonly type: 'agent_switched';
  readonly content: string;
  readonly from_agent: AgentType;
  readonly to_agent: AgentType;
  readonly reason: string;
  readonly metadata: {
    readonly from_agent: AgentType;
    readonly to_agent: AgentType;
    readonly reason: string;
    readonly confidence: 'high' | 'medium' | 'low';
  };
  readonly is_final: boolean;
}

export interface ErrorFrame extends FrameBase {
  readonly type: 'error';
  readonly content: string;
  readonly error: string;
  readonly is_final: true;
}

export type SessionState = 'idle' | 'running' | 'awaiting_tool' | 'awaiting_approval';

export interface StatusFrame extends FrameBase {
  readonly type: 'status';
  readonly session_id?: string;
  readonly state: SessionState;
  readonly current_agent: AgentType;
  readonly last_seq: number;
  readonly is_final: false;
}

export interface CancelledFrame extends FrameBase {
  readonly type: 'cancelled';
  readonly content: string;
  readonly is_final: true;
}

export type ServerFrame =
  | SessionInfoFrame
  | AssistantMessageFrame
  | ToolCallFrame
  | AgentSwitchedFrame
  | ErrorFrame
  | StatusFrame
  | CancelledFrame;

export const errorFrame = (text: string): ErrorFrame => ({ type: 'error', content: text, error: text, is_final: true });
