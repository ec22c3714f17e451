import { randomUUID } from 'node:crypto';
import { BadRequestException, Body, Controller, HttpCode, Inject, Logger, NotFoundException, Post, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import { CurrentPrincipal } from '../auth/current-principal.decorator';
import { Principal, scopeOf } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ErrorResponseDto } from '../common/error-response.dto';
import { Metrics } from '../metrics/metrics.service';
import { isTemporarySessionId } from '../protocol/session-id';
import { ServerFrame } from '../protocol/server-frames';
import { parseClientFrame } from './client-frame.parser';
import { MessageStreamRequestDto } from './dto/message-stream-request.dto';
import { TemporaryIds } from './temporary-ids';
import { toWire } from './wire';

/** `POST /api/v1/agent/message/stream`: one client frame in, its reply as Server-Sent Events out. */
@ApiTags('agent')
@ApiBearerAuth()
@ApiSecurity('api_key')
@Controller('api/v1/agent/message')
export class MessageStreamController {
  private readonly logger = new Logger(MessageStreamController.name);

  constructor(
    private readonly runtime: AgentRuntimeService,
    private readonly temporaryIds: TemporaryIds,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  @Post('stream')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send one frame and stream the reply as SSE (`data: <frame JSON>` per frame)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An event stream of service frames; the last one has is_final:true' })
  @ApiBadRequestResponse({ type: ErrorResponseDto })
  async stream(@Body() body: MessageStreamRequestDto, @CurrentPrincipal() who: Principal, @Res() response: Response): Promise<void> {
    const parsed = parseClientFrame(body.message, this.config.limits);
    if (!parsed.ok) throw new BadRequestException(`message: ${parsed.error}`);
    const frame = parsed.frame;
    if (frame.type === 'cancel') throw new BadRequestException('message: cancel is only available on protocol 2 WebSockets');
    const owner = scopeOf(who);
    const requested = body.session_id;
    const temporary = requested !== undefined && isTemporarySessionId(requested);
    // Like the WebSocket: the same temporary id (same user, within 10 minutes) continues the session it created.
    const resumed = temporary ? await this.temporaryIds.resolve(requested, owner) : undefined;
    const fresh = requested === undefined || (temporary && resumed === undefined);
    if (fresh && (frame.type === 'tool_result' || frame.type === 'hitl_decision')) {
      throw new BadRequestException(`message: ${frame.type} needs the session_id of an existing session`);
    }
    const sessionId =
      resumed ?? (temporary ? await this.temporaryIds.claim(requested, owner, randomUUID()) : (requested ?? randomUUID()));
    if (!fresh && (await this.runtime.access(sessionId, owner)) === 'foreign') {
      throw new NotFoundException(`Session ${sessionId} not found`);
    }
    response.status(200).set({
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    response.flushHeaders();
    this.metrics.openSockets.inc({ protocol: 'sse' });
    const subscription = this.runtime.handle({ sessionId, owner, frame, announceSession: temporary || fresh }).subscribe({
      next: (out: ServerFrame) => {
        const wire = toWire(out, 1);
        if (wire) response.write(`data: ${JSON.stringify(wire)}\n\n`);
      },
      complete: () => response.end(),
    });
    response.on('close', () => {
      this.metrics.openSockets.dec({ protocol: 'sse' });
      if (!response.writableEnded) this.logger.log(`session=${sessionId} SSE client left; the turn goes on`);
      subscription.unsubscribe();
    });
  }
}
