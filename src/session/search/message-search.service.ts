import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sessionNotFound } from '../../common/domain.error';
import { rawQuery } from '../../database/raw-sql';
import { OwnerScope } from '../owner-scope';
import { SessionService } from '../session.service';
import { postgresSearch, SearchRow, sqliteSearch } from './message-search-sql';
import { rankCandidates } from './ranking';
import { parseSearchQuery } from './search-query';
import { buildSnippet } from './snippet';

export interface SearchRequest {
  readonly q: string;
  readonly limit: number;
  readonly offset: number;
  readonly sessionId?: string;
}

export interface SearchHit {
  readonly sessionId: string;
  readonly title: string | null;
  readonly seq: number;
  readonly role: 'user' | 'assistant';
  readonly snippet: string;
  readonly createdAt: Date;
}

/** Full-text search over the user and assistant messages of the caller's sessions, best first. */
@Injectable()
export class MessageSearchService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly sessions: SessionService,
  ) {}

  async search(request: SearchRequest, scope: OwnerScope): Promise<SearchHit[]> {
    if (request.sessionId !== undefined && !(await this.sessions.isVisible(request.sessionId, scope))) {
      throw sessionNotFound(request.sessionId);
    }
    const query = parseSearchQuery(request.q);
    if (query.terms.length === 0) return [];
    const filter = { query, owner: scope, sessionId: request.sessionId };
    const { sql, params } = this.dataSource.options.type === 'postgres' ? postgresSearch(filter) : sqliteSearch(filter);
    const rows = await rawQuery<SearchRow>(this.dataSource, sql, params);
    const candidates = rows.map((row) => ({ row, content: row.content, createdAt: Number(row.created_at), sessionId: row.session_id, seq: Number(row.seq) }));
    return rankCandidates(candidates, query)
      .slice(request.offset, request.offset + request.limit)
      .map(({ row, createdAt, seq }) => ({
        sessionId: row.session_id,
        title: row.title,
        seq,
        role: row.role === 'assistant' ? 'assistant' : 'user',
        snippet: buildSnippet(row.content, query),
        createdAt: new Date(createdAt),
      }));
  }
}
