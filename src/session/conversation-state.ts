import type { JsonObject } from '../protocol/json';
import type { AgentType } from '../protocol/agent-type';
import type { ChatRole, ToolCallSpec } from '../protocol/chat-message';

/** One entry of a session's agent history, in the shape the IDE reads. */
export interface AgentSwitchRecord {
  readonly from: AgentType | null;
  readonly to: AgentType;
  readonly reason: string;
  readonly confidence: SwitchConfidence;
  readonly timestamp: string;
}

export type SwitchConfidence = 'high' | 'medium' | 'low';

/** A tool call the model made that has not been answered yet. */
export interface AwaitingToolCall {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject;
  readonly requiresApproval: boolean;
  /** Whether the `tool_call` frame has gone out to the IDE (calls of one model turn go one by one). */
  readonly sent: boolean;
  /** Set when the user edited the arguments through `hitl_decision`. */
  readonly edited?: boolean;
}

/** Runtime state kept in `agent_contexts.context_metadata`, so that a paused turn survives restarts. */
export interface ContextMetadata {
  readonly awaiting_tool_calls?: readonly AwaitingToolCall[];
}

export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

export interface NewMessage {
  readonly role: ChatRole;
  readonly content: string | null;
  readonly name?: string;
  readonly toolCallId?: string;
  readonly toolCalls?: readonly ToolCallSpec[];
  readonly agent?: AgentType;
}

export interface NewApproval {
  readonly callId: string;
  readonly toolName: string;
  readonly arguments: JsonObject;
  readonly reason: string;
}

export interface ApprovalDecision {
  readonly callId: string;
  readonly status: Exclude<ApprovalStatus, 'pending'>;
  readonly reason: string;
  /** Replaces the stored arguments (an `edit` decision). */
  readonly arguments?: JsonObject;
}

/** Everything one step of a turn changes, written in one transaction. */
export interface ConversationChanges {
  readonly messages?: readonly NewMessage[];
  readonly awaitingToolCalls?: readonly AwaitingToolCall[];
  readonly newApprovals?: readonly NewApproval[];
  readonly approvalDecisions?: readonly ApprovalDecision[];
  readonly agentSwitch?: AgentSwitchRecord;
}

/** What the runtime needs to know about a session before a step. */
export interface ConversationState {
  readonly sessionId: string;
  readonly currentAgent: AgentType;
  readonly awaitingToolCalls: readonly AwaitingToolCall[];
}
