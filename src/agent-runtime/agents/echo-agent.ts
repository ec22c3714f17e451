import { AGENT_TYPES } from '../../protocol/agent-type';

/** The agent platform's echo agent (PROTOCOL §6): answers without a model, for wiring checks. */
export const ECHO_AGENT_ID = 'echo-agent';
export const ECHO_AGENT_DESCRIPTION = 'The agent platform\'s echo agent: answers "Echo Agent Response: <input>" with the parameters.';
/** The final streamed piece of the echo agent. */
export const ECHO_COMPLETE = '[COMPLETE]';

/** Ids no remote agent may take. */
export const BUILT_IN_AGENT_IDS: readonly string[] = [...AGENT_TYPES, ECHO_AGENT_ID];

export function echoOutput(input: string, parameters: Readonly<Record<string, string>>): string {
  const pairs = Object.entries(parameters).map(([k, v]) => `${k}=${v}`);
  return `Echo Agent Response: ${input}${pairs.length > 0 ? ` | Parameters: ${pairs.join(', ')}` : ''}`;
}

/** What `StreamTask` sends for the echo agent before `[COMPLETE]`: the input, one word per piece. */
export function echoWords(input: string): string[] {
  return input.split(/\s+/).filter((w) => w.length > 0);
}
