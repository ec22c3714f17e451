import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SESSION_ID_PATTERN } from '../../protocol/session-id';

export class CreateSessionDto {
  @ApiPropertyOptional({
    description: 'Client-chosen id; a UUID v4 is generated when absent.',
    example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f',
    pattern: SESSION_ID_PATTERN.source,
  })
  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: 'session_id must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' })
  readonly session_id?: string;

  @ApiPropertyOptional({ description: 'Title; otherwise taken from the first user message.', example: 'Refactor the parser', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  readonly title?: string;
}
