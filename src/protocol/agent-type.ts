export const AGENT_TYPES = ['orchestrator', 'coder', 'architect', 'debug', 'ask'] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export function isAgentType(value: unknown): value is AgentType {
  return typeof value === 'string' && (AGENT_TYPES as readonly string[]).includes(value);
}
