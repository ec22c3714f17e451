import { ApiProperty } from '@nestjs/swagger';
import { AGENT_TYPES } from '../../protocol/agent-type';
import { IDE_TOOL_NAMES } from '../../protocol/tools';
import { AgentContextDto, toAgentHistory } from '../../session/dto/history-response.dto';
import { AgentContextView } from '../../session/session-history.service';
import { AgentDefinition } from '../agents/agent-definition';
import { RemoteAgent } from '../agents/remote/remote-agent';

export class AgentDto {
  @ApiProperty({
    example: 'coder',
    description: `One of ${AGENT_TYPES.join(', ')}, or the id of a remote agent registered over gRPC (RegisterAgent)`,
  })
  readonly type!: string;

  @ApiProperty({ example: 'Coder Agent' })
  readonly name!: string;

  @ApiProperty({ example: 'Writes, changes and refactors code; may use every IDE tool.' })
  readonly description!: string;

  @ApiProperty({
    enum: IDE_TOOL_NAMES,
    isArray: true,
    example: ['read_file', 'write_file'],
    description: 'IDE tools the agent may call (always empty for remote agents, which run elsewhere)',
  })
  readonly allowed_tools!: string[];
}

export class AgentsResponseDto {
  @ApiProperty({ type: [AgentDto] })
  readonly agents!: AgentDto[];

  @ApiProperty({ example: 5 })
  readonly total!: number;
}

export class CurrentAgentResponseDto extends AgentContextDto {
  @ApiProperty({ example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f' })
  readonly session_id!: string;
}

export const toAgentDto = (agent: AgentDefinition): AgentDto => ({
  type: agent.type,
  name: agent.name,
  description: agent.description,
  allowed_tools: [...agent.allowedTools],
});

export const toRemoteAgentDto = (agent: RemoteAgent): AgentDto => ({
  type: agent.agentId,
  name: agent.name,
  description: agent.description,
  allowed_tools: [],
});

export const toCurrentAgentResponse = (view: AgentContextView): CurrentAgentResponseDto => ({
  session_id: view.sessionId,
  current_agent: view.currentAgent,
  agent_history: toAgentHistory(view.agentHistory),
  switch_count: view.switchCount,
});
