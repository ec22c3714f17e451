import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, MaxLength, Min } from 'class-validator';

export class ForkSessionDto {
  @ApiPropertyOptional({
    description: 'Keep the messages with seq ≤ this (0-based, as in history); default: all. Must not fall between a tool call and its answer.',
    example: 3,
    minimum: 0,
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  readonly up_to_seq?: number;

  @ApiPropertyOptional({ description: 'Title of the fork; default: the source’s title.', example: 'Parser refactoring, second try', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  readonly title?: string;
}
