import { Injectable } from '@nestjs/common';
import { AGENT_CATALOG } from '../agent-runtime/agents/agent-catalog';
import { ECHO_AGENT_DESCRIPTION, ECHO_AGENT_ID } from '../agent-runtime/agents/echo-agent';
import { RemoteAgent } from '../agent-runtime/agents/remote/remote-agent';
import { RemoteAgentRegistryService } from '../agent-runtime/agents/remote/remote-agent-registry.service';
import { SERVICE_VERSION } from '../health/service-info';
import { AgentInfoMessage } from './grpc/agent-platform.messages';

/** Every agent a platform task may name, in the platform's `AgentInfo` shape (gRPC ListAgents, MCP tools and resources). */
@Injectable()
export class AgentDirectoryService {
  constructor(private readonly registry: RemoteAgentRegistryService) {}

  async list(): Promise<AgentInfoMessage[]> {
    return agentInfos(await this.registry.list());
  }
}

const BLANK = { endpoint: '', detailed_description: '', how_it_works: '', return_format: '', use_cases: [] } as const;

/** Every agent this service runs or forwards to, as `AgentInfo` (built-in ones first). */
export function agentInfos(remote: readonly RemoteAgent[]): AgentInfoMessage[] {
  const builtIn = Object.values(AGENT_CATALOG).map(
    (a): AgentInfoMessage => ({ ...BLANK, agent_id: a.type, name: a.name, description: a.description, capabilities: [...a.allowedTools], version: SERVICE_VERSION }),
  );
  const echo: AgentInfoMessage = {
    ...BLANK,
    agent_id: ECHO_AGENT_ID,
    name: 'Echo Agent',
    description: ECHO_AGENT_DESCRIPTION,
    capabilities: ['echo'],
    version: SERVICE_VERSION,
  };
  return [...builtIn, echo, ...remote.map(fromRemote)];
}

/** `ListAgents.filter`: id, name or a capability contains it (case-insensitive); empty keeps all. */
export function matchesFilter(agent: AgentInfoMessage, filter: string): boolean {
  const needle = filter.trim().toLowerCase();
  if (needle === '') return true;
  return [agent.agent_id, agent.name, ...agent.capabilities].some((text) => text.toLowerCase().includes(needle));
}

export const toRemoteAgent = (info: AgentInfoMessage): RemoteAgent => ({
  agentId: info.agent_id.trim(),
  name: info.name.trim() || info.agent_id.trim(),
  description: info.description,
  capabilities: [...info.capabilities],
  endpoint: info.endpoint.trim(),
  detailedDescription: info.detailed_description,
  howItWorks: info.how_it_works,
  returnFormat: info.return_format,
  useCases: [...info.use_cases],
  version: info.version,
});

const fromRemote = (agent: RemoteAgent): AgentInfoMessage => ({
  agent_id: agent.agentId,
  name: agent.name,
  description: agent.description,
  capabilities: [...agent.capabilities],
  endpoint: agent.endpoint,
  detailed_description: agent.detailedDescription,
  how_it_works: agent.howItWorks,
  return_format: agent.returnFormat,
  use_cases: [...agent.useCases],
  version: agent.version,
});
