import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { sessionNotFound } from '../../common/domain.error';
import { rawQuery, SqlParams } from '../../database/raw-sql';
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
    const page = rankCandidates(candidates, query).slice(request.offset, request.offset + request.limit);
    const titles = await this.titles([...new Set(page.map((c) => c.sessionId))], scope);
    // The owner is checked again on the session rows: a hit whose session is not the caller's is dropped.
    return page
      .filter((c) => titles.has(c.sessionId))
      .map(({ row, createdAt, seq, sessionId }) => ({
        sessionId,
        title: titles.get(sessionId) ?? null,
        seq,
        role: row.role === 'assistant' ? 'assistant' : 'user',
        snippet: buildSnippet(row.content, query),
        createdAt: new Date(createdAt),
      }));
  }

  /** Titles of the caller's sessions among `ids` (a page's worth). */
  private async titles(ids: readonly string[], scope: OwnerScope): Promise<Map<string, string | null>> {
    if (ids.length === 0) return new Map();
    const params: SqlParams = scope === null ? {} : { owner: scope };
    ids.forEach((id, i) => (params[`id${i}`] = id));
    const rows = await rawQuery<{ id: string; title: string | null }>(
      this.dataSource,
      `SELECT id, title FROM sessions WHERE id IN (${ids.map((_, i) => `:id${i}`).join(', ')})${scope === null ? '' : ' AND owner_id = :owner'}`,
      params,
    );
    return new Map(rows.map((r) => [r.id, r.title]));
  }
}
