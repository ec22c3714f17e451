import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOperation, ApiSecurity, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse } from '@nestjs/swagger';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal, scopeOf } from '../auth/principal';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SessionIdPipe } from '../common/session-id.pipe';
import { CreateSessionDto } from './dto/create-session.dto';
import { HistoryResponseDto, toHistoryResponse } from './dto/history-response.dto';
import { ListSessionsQuery } from './dto/list-sessions.query';
import { PendingApprovalsResponseDto, toPendingApprovalsResponse } from './dto/pending-approvals-response.dto';
import { SessionListResponseDto, SessionResponseDto, toSessionResponse } from './dto/session-response.dto';
import { UpdateSessionDto } from './dto/update-session.dto';
import { SessionHistoryService } from './session-history.service';
import { SessionService } from './session.service';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api_key')
@ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid input' })
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Authentication is on and the credential is missing or invalid' })
@ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Per-user rate limit; see Retry-After' })
@Controller('api/v1/sessions')
export class SessionController {
  constructor(
    private readonly sessions: SessionService,
    private readonly history: SessionHistoryService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a session' })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiConflictResponse({ type: ErrorResponseDto, description: 'A session with this id exists' })
  async create(@Body() body: CreateSessionDto, @CurrentPrincipal() who: Principal): Promise<SessionResponseDto> {
    return toSessionResponse(await this.sessions.create({ sessionId: body.session_id, title: body.title }, scopeOf(who)));
  }

  @Get()
  @ApiOperation({ summary: 'List sessions, most recently active first' })
  @ApiOkResponse({ type: SessionListResponseDto })
  async list(@Query() query: ListSessionsQuery, @CurrentPrincipal() who: Principal): Promise<SessionListResponseDto> {
    const { items, total } = await this.sessions.list(query.limit, query.offset, scopeOf(who));
    return { sessions: items.map(toSessionResponse), total, limit: query.limit, offset: query.offset };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get one session' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async get(@Param('id', SessionIdPipe) id: string, @CurrentPrincipal() who: Principal): Promise<SessionResponseDto> {
    return toSessionResponse(await this.sessions.get(id, scopeOf(who)));
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Rename a session' })
  @ApiOkResponse({ type: SessionResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async rename(
    @Param('id', SessionIdPipe) id: string,
    @Body() body: UpdateSessionDto,
    @CurrentPrincipal() who: Principal,
  ): Promise<SessionResponseDto> {
    return toSessionResponse(await this.sessions.rename(id, body.title, scopeOf(who)));
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a session with its history, agent context and approvals' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async delete(@Param('id', SessionIdPipe) id: string, @CurrentPrincipal() who: Principal): Promise<void> {
    await this.sessions.delete(id, scopeOf(who));
  }

  @Get(':id/history')
  @ApiOperation({ summary: 'Full history in OpenAI Chat Completions form, oldest first' })
  @ApiOkResponse({ type: HistoryResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async getHistory(@Param('id', SessionIdPipe) id: string, @CurrentPrincipal() who: Principal): Promise<HistoryResponseDto> {
    return toHistoryResponse(await this.history.history(id, scopeOf(who)));
  }

  @Get(':id/pending-approvals')
  @ApiOperation({ summary: 'Tool calls waiting for the user’s approval' })
  @ApiOkResponse({ type: PendingApprovalsResponseDto })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async pendingApprovals(
    @Param('id', SessionIdPipe) id: string,
    @CurrentPrincipal() who: Principal,
  ): Promise<PendingApprovalsResponseDto> {
    return toPendingApprovalsResponse(id, await this.history.pendingApprovals(id, scopeOf(who)));
  }
}
