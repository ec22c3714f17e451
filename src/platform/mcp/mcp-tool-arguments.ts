/** The `inputSchema` of every agent tool (PROTOCOL §7), exactly. */
export const AGENT_TOOL_INPUT_SCHEMA = {
  type: 'object',
  properties: {
    input: { type: 'string' },
    parameters: { type: 'object', additionalProperties: { type: 'string' } },
    session_id: { type: 'string' },
  },
  required: ['input'],
} as const;

/** What a successful call returns as `structuredContent` (and what hosts may rely on). */
export const AGENT_TOOL_OUTPUT_SCHEMA = {
  type: 'object',
  properties: {
    output: { type: 'string' },
    agent: { type: 'string' },
    session_id: { type: 'string' },
    task_id: { type: 'string' },
  },
  required: ['output', 'agent', 'task_id'],
} as const;

export interface AgentToolArguments {
  readonly input: string;
  readonly parameters: Record<string, string>;
  readonly sessionId: string;
}

/** Checks a tool call's `arguments` against the schema; returns them, or why they are refused. */
export function parseToolArguments(args: unknown): AgentToolArguments | string {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return 'arguments must be an object with "input"';
  const { input, parameters, session_id: sessionId } = args as Record<string, unknown>;
  if (typeof input !== 'string') return 'input is required and must be a string';
  if (sessionId !== undefined && typeof sessionId !== 'string') return 'session_id must be a string';
  if (parameters !== undefined) {
    if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) return 'parameters must be an object of strings';
    const bad = Object.entries(parameters).find(([, v]) => typeof v !== 'string');
    if (bad) return `parameters.${bad[0]} must be a string`;
  }
  return { input, parameters: { ...(parameters as Record<string, string> | undefined) }, sessionId: sessionId ?? '' };
}
