import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Matches } from 'class-validator';
import type { JsonObject } from '../../protocol/json';
import { SESSION_ID_PATTERN } from '../../protocol/session-id';

export class MessageStreamRequestDto {
  @ApiPropertyOptional({
    description: 'The session; absent (or a temporary new_… id) creates one and the stream starts with session_info.',
    example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f',
  })
  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: 'session_id must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' })
  readonly session_id?: string;

  @ApiProperty({
    description: 'One client frame of the WebSocket protocol (user_message, tool_result, switch_agent, hitl_decision).',
    example: { type: 'user_message', content: 'Create hello.py', role: 'user' },
    type: 'object',
    additionalProperties: true,
  })
  @IsObject()
  readonly message!: JsonObject;
}
