/** A registered remote agent as the rest of the service sees it (the entity stays in its repository). */
export interface RemoteAgent {
  readonly agentId: string;
  readonly name: string;
  readonly description: string;
  readonly capabilities: readonly string[];
  /** `host:port` of the AgentService that runs it. */
  readonly endpoint: string;
  readonly detailedDescription: string;
  readonly howItWorks: string;
  readonly returnFormat: string;
  readonly useCases: readonly string[];
  readonly version: string;
}

const AGENT_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
const ENDPOINT = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?):(\d{1,5})$/;
const MAX_TEXT = 10_000;
const MAX_LIST = 100;

/** Why the registration is refused, or null when it is acceptable. */
export function registrationProblem(agent: RemoteAgent, builtInIds: readonly string[]): string | null {
  if (!AGENT_ID.test(agent.agentId)) return 'agent_id must be 1-128 characters: letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
  if (builtInIds.includes(agent.agentId)) return `agent_id ${agent.agentId} is a built-in agent and cannot be registered`;
  const endpoint = ENDPOINT.exec(agent.endpoint);
  const port = Number(endpoint?.[2]);
  if (!endpoint || port < 1 || port > 65535) return 'endpoint must be host:port of an AgentService (e.g. 10.0.0.5:50051)';
  if (agent.name.length > 200) return 'name is longer than 200 characters';
  if (agent.version.length > 64) return 'version is longer than 64 characters';
  const texts = [agent.description, agent.detailedDescription, agent.howItWorks, agent.returnFormat];
  if (texts.some((t) => t.length > MAX_TEXT)) return `descriptions may be at most ${MAX_TEXT} characters each`;
  const lists = [agent.capabilities, agent.useCases];
  if (lists.some((l) => l.length > MAX_LIST || l.some((item) => item.length > 200))) {
    return `capabilities and use_cases may hold at most ${MAX_LIST} entries of at most 200 characters`;
  }
  return null;
}
