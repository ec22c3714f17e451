import { Controller, Get, Param } from '@nestjs/common';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal, scopeOf } from '../auth/principal';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SessionIdPipe } from '../common/session-id.pipe';
import { SessionHistoryService } from '../session/session-history.service';
import { AGENT_CATALOG } from './agents/agent-catalog';
import { RemoteAgentRegistryService } from './agents/remote/remote-agent-registry.service';
import { AgentsResponseDto, CurrentAgentResponseDto, toAgentDto, toCurrentAgentResponse, toRemoteAgentDto } from './dto/agents-response.dto';

@ApiTags('agents')
@ApiBearerAuth()
@ApiSecurity('api_key')
@Controller('api/v1/agents')
export class AgentsController {
  constructor(
    private readonly history: SessionHistoryService,
    private readonly remoteAgents: RemoteAgentRegistryService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'The agents and the tools each may use (remote agents registered over gRPC last)' })
  @ApiOkResponse({ type: AgentsResponseDto })
  async list(): Promise<AgentsResponseDto> {
    const remote = await this.remoteAgents.list();
    const agents = [...Object.values(AGENT_CATALOG).map(toAgentDto), ...remote.map(toRemoteAgentDto)];
    return { agents, total: agents.length };
  }

  @Get(':id/current')
  @ApiOperation({ summary: 'The current agent of a session and how it got there' })
  @ApiOkResponse({ type: CurrentAgentResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async current(@Param('id', SessionIdPipe) id: string, @CurrentPrincipal() who: Principal): Promise<CurrentAgentResponseDto> {
    return toCurrentAgentResponse(await this.history.agentContext(id, scopeOf(who)));
  }
}
