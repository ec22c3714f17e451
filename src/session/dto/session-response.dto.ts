import { ApiProperty } from '@nestjs/swagger';
import { AGENT_TYPES, AgentType } from '../../protocol/agent-type';
import { SessionView } from '../session-view';

const EXAMPLE_ID = '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f';

export class SessionResponseDto {
  @ApiProperty({ example: EXAMPLE_ID })
  readonly id!: string;

  @ApiProperty({ example: EXAMPLE_ID, description: 'Same as `id` (kept for existing clients).' })
  readonly session_id!: string;

  @ApiProperty({ example: 'Create hello.py', nullable: true, type: String })
  readonly title!: string | null;

  @ApiProperty({ example: 4 })
  readonly message_count!: number;

  @ApiProperty({ example: '2026-01-05T10:00:00.000Z' })
  readonly created_at!: string;

  @ApiProperty({ example: '2026-01-05T10:02:13.000Z' })
  readonly last_activity!: string;

  @ApiProperty({ example: true })
  readonly is_active!: boolean;

  @ApiProperty({ enum: AGENT_TYPES, example: 'coder' })
  readonly current_agent!: AgentType;
}

export class SessionListResponseDto {
  @ApiProperty({ type: [SessionResponseDto] })
  readonly sessions!: SessionResponseDto[];

  @ApiProperty({ example: 1, description: 'Number of all sessions, not just this page.' })
  readonly total!: number;

  @ApiProperty({ example: 100 })
  readonly limit!: number;

  @ApiProperty({ example: 0 })
  readonly offset!: number;
}

export function toSessionResponse(view: SessionView): SessionResponseDto {
  return {
    id: view.id,
    session_id: view.id,
    title: view.title,
    message_count: view.messageCount,
    created_at: view.createdAt.toISOString(),
    last_activity: view.lastActivity.toISOString(),
    is_active: true,
    current_agent: view.currentAgent,
  };
}
