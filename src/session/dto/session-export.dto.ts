import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { EXPORT_FORMAT, EXPORT_VERSION } from '../transfer/import-document';
import { SessionExport } from '../transfer/session-export.service';
import { AgentContextDto, ChatMessageDto, toAgentHistory } from './history-response.dto';
import { PendingApprovalDto } from './pending-approvals-response.dto';
import { SessionResponseDto, toSessionResponse } from './session-response.dto';

export const EXPORT_FORMATS = ['json', 'markdown'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export class ExportQueryDto {
  @ApiPropertyOptional({ enum: EXPORT_FORMATS, default: 'json', description: '`markdown`: a readable transcript as a `text/markdown` attachment.' })
  @IsOptional()
  @IsIn(EXPORT_FORMATS)
  readonly format: ExportFormat = 'json';
}

export class ExportedApprovalDto extends PendingApprovalDto {
  @ApiProperty({ enum: ['pending', 'approved', 'rejected'], example: 'approved' })
  readonly status!: 'pending' | 'approved' | 'rejected';

  @ApiProperty({ example: '2026-01-05T10:00:09.000Z', nullable: true, type: String })
  readonly decided_at!: string | null;
}

/** `GET /sessions/{id}/export` (json), which `POST /imports` reads back. */
export class SessionExportDto {
  @ApiProperty({ enum: [EXPORT_FORMAT], example: EXPORT_FORMAT })
  readonly format!: typeof EXPORT_FORMAT;

  @ApiProperty({ enum: [EXPORT_VERSION], example: EXPORT_VERSION })
  readonly version!: typeof EXPORT_VERSION;

  @ApiProperty({ example: '2026-01-05T11:00:00.000Z' })
  readonly exported_at!: string;

  @ApiProperty({ type: SessionResponseDto })
  readonly session!: SessionResponseDto;

  @ApiProperty({
    type: [ChatMessageDto],
    description: 'The history, oldest first, in OpenAI Chat Completions form (as GET /sessions/{id}/history).',
    example: [
      { role: 'user', content: 'Create hello.py' },
      { role: 'assistant', content: '', tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'write_file', arguments: '{"path":"hello.py","content":"print(1)"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: 'ok' },
      { role: 'assistant', content: 'Created hello.py.' },
    ],
  })
  readonly messages!: ChatMessageDto[];

  @ApiProperty({ type: AgentContextDto })
  readonly agent_context!: AgentContextDto;

  @ApiProperty({ type: [ExportedApprovalDto] })
  readonly approvals!: ExportedApprovalDto[];
}

export function toSessionExport(data: SessionExport): SessionExportDto {
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    exported_at: data.exportedAt.toISOString(),
    session: toSessionResponse(data.session),
    messages: data.messages.map(({ message }) => ({ ...message, tool_calls: message.tool_calls ? [...message.tool_calls] : undefined })),
    agent_context: {
      current_agent: data.agentContext.currentAgent,
      agent_history: toAgentHistory(data.agentContext.agentHistory),
      switch_count: data.agentContext.switchCount,
    },
    approvals: data.approvals.map((a) => ({
      call_id: a.callId,
      tool_name: a.toolName,
      arguments: a.arguments,
      status: a.status,
      reason: a.reason,
      created_at: a.createdAt.toISOString(),
      decided_at: a.decidedAt ? a.decidedAt.toISOString() : null,
    })),
  };
}
