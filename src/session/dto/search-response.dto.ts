import { ApiProperty } from '@nestjs/swagger';
import { SearchHit } from '../search/message-search.service';

export class SearchResultDto {
  @ApiProperty({ example: '3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f' })
  readonly session_id!: string;

  @ApiProperty({ example: 'Fix the migration bug', nullable: true, type: String })
  readonly title!: string | null;

  @ApiProperty({ example: 4, description: "The message's 0-based index in the session's history." })
  readonly seq!: number;

  @ApiProperty({ enum: ['user', 'assistant'], example: 'assistant' })
  readonly role!: 'user' | 'assistant';

  @ApiProperty({ example: '…the **migration** fails because the **foreign key** on messages…' })
  readonly snippet!: string;

  @ApiProperty({ example: '2026-01-05T10:02:13.000Z' })
  readonly created_at!: string;
}

export class SearchResponseDto {
  @ApiProperty({ type: [SearchResultDto], description: 'Best match first.' })
  readonly results!: SearchResultDto[];

  @ApiProperty({ example: 20 })
  readonly limit!: number;

  @ApiProperty({ example: 0 })
  readonly offset!: number;

  @ApiProperty({ example: 'migration "foreign key"' })
  readonly query!: string;
}

export function toSearchResponse(hits: readonly SearchHit[], query: { q: string; limit: number; offset: number }): SearchResponseDto {
  return {
    results: hits.map((h) => ({
      session_id: h.sessionId,
      title: h.title,
      seq: h.seq,
      role: h.role,
      snippet: h.snippet,
      created_at: h.createdAt.toISOString(),
    })),
    limit: query.limit,
    offset: query.offset,
    query: query.q,
  };
}
