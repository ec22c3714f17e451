import type { AgentType } from '../../src/protocol/agent-type';
import type { ToolCallSpec } from '../../src/protocol/chat-message';
import type { JsonObject } from '../../src/protocol/json';
import type {
  AgentSwitchRecord,
  AwaitingToolCall,
  NewApproval,
  NewMessage,
} from '../../src/session/conversation-state';

/** Builders for what the agent runtime commits to the conversation store; each takes overrides. */
export const userMessage = (content: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
  role: 'user',
  content,
  ...overrides,
});

export const assistantMessage = (content: string, overrides: Partial<NewMessage> = {}): NewMessage => ({
  role: 'assistant',
  content,
  agent: 'coder',
  ...overrides,
});

export const toolCallSpec = (id: string, name: string, args: JsonObject): ToolCallSpec => ({
  id,
  type: 'function',
  function: { name, arguments: JSON.stringify(args) },
});

/** An assistant turn that called tools (no text, as the model sends it). */
export const assistantToolCalls = (...calls: ToolCallSpec[]): NewMessage => ({
  role: 'assistant',
  content: null,
  toolCalls: calls,
  agent: 'coder',
});

export const toolAnswer = (callId: string, content: string): NewMessage => ({
  role: 'tool',
  content,
  toolCallId: callId,
});

export const agentSwitch = (to: AgentType, overrides: Partial<AgentSwitchRecord> = {}): AgentSwitchRecord => ({
  from: 'orchestrator',
  to,
  reason: `Keyword match for ${to}`,
  confidence: 'high',
  timestamp: '2026-01-05T10:00:01.000Z',
  ...overrides,
});

export const awaitingCall = (overrides: Partial<AwaitingToolCall> = {}): AwaitingToolCall => ({
  callId: 'call_write_1',
  toolName: 'write_file',
  arguments: { path: 'hello.py', content: 'print(1)' },
  requiresApproval: true,
  sent: true,
  ...overrides,
});

export const newApproval = (overrides: Partial<NewApproval> = {}): NewApproval => ({
  callId: 'call_write_1',
  toolName: 'write_file',
  arguments: { path: 'hello.py', content: 'print(1)' },
  reason: 'write_file changes the workspace',
  ...overrides,
});
