import type { AgentType } from './agent-type';
import type { JsonObject } from './json';
import type { AgentSwitchedFrame, AssistantMessageFrame, SessionInfoFrame, ToolCallFrame } from './server-frames';

export const sessionInfoFrame = (sessionId: string): SessionInfoFrame => ({
  type: 'session_info',
  session_id: sessionId,
  is_final: false,
});

export const assistantDeltaFrame = (token: string): AssistantMessageFrame => ({
  type: 'assistant_message',
  token,
  is_final: false,
});

/**
 * The whole answer, in the protocol-2 shape the event log keeps (`token` empty: the text was streamed);
 * compat sockets get `token` = `content` (see gateway/wire.ts).
 */
export const assistantFinalFrame = (content: string): AssistantMessageFrame => ({
  type: 'assistant_message',
  content,
  token: '',
  is_final: true,
});

export const toolCallFrame = (
  callId: string,
  toolName: string,
  args: JsonObject,
  requiresApproval: boolean,
): ToolCallFrame => ({
  type: 'tool_call',
  call_id: callId,
  tool_name: toolName,
  arguments: args,
  requires_approval: requiresApproval,
  is_final: true,
});

export function agentSwitchedFrame(
  from: AgentType,
  to: AgentType,
  reason: string,
  confidence: 'high' | 'medium' | 'low',
  isFinal: boolean,
): AgentSwitchedFrame {
  return {
    type: 'agent_switched',
    content: `Switched to ${to} agent`,
    from_agent: from,
    to_agent: to,
    reason,
    metadata: { from_agent: from, to_agent: to, reason, confidence },
    is_final: isFinal,
  };
}
