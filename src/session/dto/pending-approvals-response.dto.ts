import type { JsonObject } from '../../protocol/json';
import { ApiProperty } from '@nestjs/swagger';
import { PendingApprovalView } from '../session-history.service';

export class PendingApprovalDto {
  @ApiProperty({ example: 'call_abc' })
  readonly call_id!: string;

  @ApiProperty({ example: 'write_file' })
  readonly tool_name!: string;

  @ApiProperty({ example: { path: 'hello.py', content: 'print(1)' }, type: 'object', additionalProperties: true })
  readonly arguments!: JsonObject;

  @ApiProperty({ example: 'File modification requires user approval', nullable: true, type: String })
  readonly reason!: string | null;

  @ApiProperty({ example: '2026-01-05T10:00:02.000Z' })
  readonly created_at!: string;
}

export class PendingApprovalsResponseDto {
  @ApiProperty({ example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f' })
  readonly session_id!: string;

  @ApiProperty({ type: [PendingApprovalDto] })
  readonly pending_approvals!: PendingApprovalDto[];

  @ApiProperty({ example: 1 })
  readonly count!: number;
}

export function toPendingApprovalsResponse(
  sessionId: string,
  approvals: readonly PendingApprovalView[],
): PendingApprovalsResponseDto {
  return {
    session_id: sessionId,
    pending_approvals: approvals.map((a) => ({
      call_id: a.callId,
      tool_name: a.toolName,
      arguments: a.arguments,
      reason: a.reason,
      created_at: a.createdAt.toISOString(),
    })),
    count: approvals.length,
  };
}
