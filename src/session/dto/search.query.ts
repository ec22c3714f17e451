import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import { SESSION_ID_PATTERN } from '../../protocol/session-id';
import { OffsetPageQuery } from './offset-page.query';

export class SearchQueryDto extends OffsetPageQuery {
  @ApiProperty({
    description:
      'Words (all must occur; case and accents are ignored) and "quoted phrases". Anything that is not a letter or digit only separates words.',
    example: 'migration "foreign key"',
    minLength: 1,
    maxLength: 500,
  })
  @IsString()
  @Length(1, 500)
  readonly q!: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  readonly limit: number = 20;

  @ApiPropertyOptional({ description: 'Only this session (404 when it is not yours).', example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f' })
  @IsOptional()
  @IsString()
  @Matches(SESSION_ID_PATTERN, { message: 'session_id must match ^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$' })
  readonly session_id?: string;
}
