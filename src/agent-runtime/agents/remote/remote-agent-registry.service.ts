import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { DomainError, DomainErrorCode } from '../../../common/domain.error';
import { BUILT_IN_AGENT_IDS } from '../echo-agent';
import { RemoteAgent, registrationProblem } from './remote-agent';
import { RemoteAgentEntity } from './remote-agent.entity';

/** The persisted list of remote agents (gRPC `RegisterAgent`); read on every use, so all instances agree. */
@Injectable()
export class RemoteAgentRegistryService {
  private readonly logger = new Logger(RemoteAgentRegistryService.name);

  constructor(@InjectRepository(RemoteAgentEntity) private readonly agents: Repository<RemoteAgentEntity>) {}

  async list(): Promise<RemoteAgent[]> {
    const rows = await this.agents.find({ order: { agentId: 'ASC' } });
    return rows.map(toRemoteAgent);
  }

  async find(agentId: string): Promise<RemoteAgent | null> {
    const row = await this.agents.findOneBy({ agentId });
    return row ? toRemoteAgent(row) : null;
  }

  /** Registers (or, for a known id, replaces) a remote agent. Returns whether it is new. */
  async register(agent: RemoteAgent, registeredBy: string | null): Promise<boolean> {
    const problem = registrationProblem(agent, BUILT_IN_AGENT_IDS);
    if (problem) throw new DomainError(DomainErrorCode.InvalidRequest, problem);
    const existed = await this.agents.existsBy({ agentId: agent.agentId });
    await this.agents.save({
      ...agent,
      capabilities: [...agent.capabilities],
      useCases: [...agent.useCases],
      registeredBy,
      registeredAt: new Date(),
    });
    this.logger.log(`remote agent ${agent.agentId} ${existed ? 'updated' : 'registered'} at ${agent.endpoint} by ${registeredBy ?? 'anonymous'}`);
    return !existed;
  }
}

const toRemoteAgent = (row: RemoteAgentEntity): RemoteAgent => ({
  agentId: row.agentId,
  name: row.name,
  description: row.description,
  capabilities: row.capabilities,
  endpoint: row.endpoint,
  detailedDescription: row.detailedDescription,
  howItWorks: row.howItWorks,
  returnFormat: row.returnFormat,
  useCases: row.useCases,
  version: row.version,
});
