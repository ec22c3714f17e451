import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiCreatedResponse, ApiExtraModels, ApiNotFoundResponse, ApiOkResponse } from '@nestjs/swagger';
import { ApiOperation, ApiProduces, ApiSecurity, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import { CurrentPrincipal } from '../../auth/current-principal.decorator';
import { Principal, scopeOf } from '../../auth/principal';
import { ErrorResponseDto } from '../../common/error-response.dto';
import { SessionIdPipe } from '../../common/session-id.pipe';
import { ForkSessionDto } from '../dto/fork-session.dto';
import { ImportMessagesDto } from '../dto/import-session.dto';
import { ExportQueryDto, SessionExportDto, toSessionExport } from '../dto/session-export.dto';
import { SessionResponseDto, toSessionResponse } from '../dto/session-response.dto';
import { toMarkdownTranscript } from './markdown-transcript';
import { SessionExportService } from './session-export.service';
import { SessionForkService } from './session-fork.service';
import { SessionImportService } from './session-import.service';

@ApiTags('sessions')
@ApiBearerAuth()
@ApiSecurity('api_key')
@ApiExtraModels(SessionExportDto, ImportMessagesDto)
@ApiUnauthorizedResponse({ type: ErrorResponseDto, description: 'Authentication is on and the credential is missing or invalid' })
@ApiTooManyRequestsResponse({ type: ErrorResponseDto, description: 'Per-user rate limit; see Retry-After' })
@Controller('api/v1')
export class SessionTransferController {
  constructor(
    private readonly exports: SessionExportService,
    private readonly imports: SessionImportService,
    private readonly forks: SessionForkService,
  ) {}

  @Get('sessions/:id/export')
  @ApiOperation({ summary: 'Export a session: JSON (readable back by POST /imports) or a Markdown transcript' })
  @ApiProduces('application/json', 'text/markdown')
  @ApiOkResponse({
    description: 'json: the whole session; markdown: a transcript sent as an attachment (`session-<id>.md`).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(SessionExportDto) } },
      'text/markdown': { schema: { type: 'string', example: '# Create hello.py\n\n- Session: `3f1c…`\n\n---\n\n### 0. User\n\nCreate hello.py\n' } },
    },
  })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Invalid format' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async export(
    @Param('id', SessionIdPipe) id: string,
    @Query() query: ExportQueryDto,
    @CurrentPrincipal() who: Principal,
    @Res({ passthrough: true }) res: Response,
  ): Promise<SessionExportDto | string> {
    const data = await this.exports.export(id, scopeOf(who));
    if (query.format === 'json') return toSessionExport(data);
    res.setHeader('content-type', 'text/markdown; charset=utf-8');
    res.setHeader('content-disposition', `attachment; filename="session-${id.replace(/[^A-Za-z0-9._-]/g, '_')}.md"`);
    return toMarkdownTranscript(data);
  }

  @Post('imports')
  @ApiOperation({
    summary: 'Import a conversation as a new session (fresh id, owned by you)',
    description:
      'Accepts a json export of this service or {"title"?, "messages": [OpenAI Chat Completions messages]}. Every message is checked in order; ' +
      'the first bad one is named in the 400 and nothing is stored.',
  })
  @ApiBody({
    schema: { oneOf: [{ $ref: getSchemaPath(SessionExportDto) }, { $ref: getSchemaPath(ImportMessagesDto) }] },
    examples: {
      openai: {
        summary: 'OpenAI messages',
        value: {
          title: 'Imported chat',
          messages: [
            { role: 'user', content: 'What does main.py do?' },
            { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{"path":"main.py"}' } }] },
            { role: 'tool', tool_call_id: 'call_1', content: 'print("hi")' },
            { role: 'assistant', content: 'It prints "hi".' },
          ],
        },
      },
      export: { summary: 'A json export', value: { format: 'codelab-session', version: 1, session: { title: 'Create hello.py' }, messages: [{ role: 'user', content: 'Create hello.py' }] } },
    },
  })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'Names the first bad message, e.g. `messages[2]: tool_call_id call_9 answers no earlier unanswered tool call`' })
  async import(@Body() body: unknown, @CurrentPrincipal() who: Principal): Promise<SessionResponseDto> {
    return toSessionResponse(await this.imports.import(body, scopeOf(who)));
  }

  @Post('sessions/:id/fork')
  @ApiOperation({ summary: 'Fork a session: a new session with a copy of its first messages and its agent context' })
  @ApiCreatedResponse({ type: SessionResponseDto })
  @ApiBadRequestResponse({ type: ErrorResponseDto, description: 'up_to_seq past the end, or between a tool call and its answer' })
  @ApiNotFoundResponse({ type: ErrorResponseDto })
  async fork(@Param('id', SessionIdPipe) id: string, @Body() body: ForkSessionDto, @CurrentPrincipal() who: Principal): Promise<SessionResponseDto> {
    return toSessionResponse(await this.forks.fork(id, { upToSeq: body.up_to_seq, title: body.title }, scopeOf(who)));
  }
}
