import { SqlParams } from '../../database/raw-sql';
import { SearchQuery } from './search-query';

/**
 * A search reads at most this many of the newest matching messages and ranks them (a search for a
 * common word never has to read a whole database's worth of matches).
 */
export const RANKED_CANDIDATES = 1000;

export interface SearchFilter {
  readonly query: SearchQuery;
  /** Only this owner's sessions (null: authentication off, every session). */
  readonly owner: string | null;
  /** Only this session. */
  readonly sessionId: string | undefined;
}

export interface SearchSql {
  readonly sql: string;
  readonly params: SqlParams;
}

/** What both dialects select for a candidate: the newest matches first. */
export interface SearchRow {
  readonly session_id: string;
  readonly seq: number | string;
  readonly role: string;
  readonly content: string;
  readonly created_at: number | string;
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');
const quote = (word: string): string => `"${word.replace(/"/g, '""')}"`;

/**
 * SQLite FTS5: a MATCH expression made only of quoted words (a phrase is one quoted string of its
 * words), narrowed inside the index by the owner and session tokens the triggers write.
 */
export function sqliteSearch(filter: SearchFilter): SearchSql {
  const body = filter.query.terms.map((t) => quote(t.words.join(' '))).join(' ');
  const match = [
    ...(filter.owner !== null ? [`owner : ${quote(`o${hex(filter.owner)}`)}`] : []),
    ...(filter.sessionId !== undefined ? [`session : ${quote(`s${hex(filter.sessionId)}`)}`] : []),
    `body : (${body})`,
  ].join(' AND ');
  return {
    // The newest matches straight from the index (FTS5 walks the doclists backwards and stops at the
    // limit); no bm25(), which would scan every term's whole doclist for its document frequency.
    params: { match, candidates: RANKED_CANDIDATES },
    sql: `SELECT m.session_id AS session_id, m.seq AS seq, m.role AS role, m.content AS content, m.created_at AS created_at
          FROM (SELECT rowid AS id FROM message_search WHERE message_search MATCH :match
                ORDER BY rowid DESC LIMIT :candidates) hit
          JOIN messages m ON m.rowid = hit.id`,
  };
}

/** Must repeat the expression of the GIN index `IDX_MESSAGES_SEARCH` (migration 1764200000000). */
const postgresDocument = (alias: string): string =>
  `to_tsvector('codelab_search'::regconfig, regexp_replace(${alias}.content, '[^[:alnum:]]+', ' ', 'g'))`;

/**
 * PostgreSQL: a tsquery text made only of quoted words, `&` between terms and `<->` inside a phrase,
 * handed to `to_tsquery` with the `codelab_search` configuration (which folds case and accents).
 */
export function postgresSearch(filter: SearchFilter): SearchSql {
  const tsquery = filter.query.terms
    .map((t) => {
      const words = t.words.map((w) => `'${w.replace(/'/g, "''").replace(/\\/g, '\\\\')}'`);
      return words.length === 1 ? words[0] : `(${words.join(' <-> ')})`;
    })
    .join(' & ');
  const params: SqlParams = { tsquery, candidates: RANKED_CANDIDATES };
  const where: string[] = [];
  if (filter.owner !== null) {
    where.push('s.owner_id = :owner');
    params.owner = filter.owner;
  }
  if (filter.sessionId !== undefined) {
    where.push('m.session_id = :sessionId');
    params.sessionId = filter.sessionId;
  }
  return {
    params,
    sql: `SELECT m.session_id, m.seq, m.role, m.content, m.created_at
          FROM messages m JOIN sessions s ON s.id = m.session_id
          WHERE m.role IN ('user', 'assistant') AND m.content IS NOT NULL
            AND ${postgresDocument('m')} @@ to_tsquery('codelab_search', :tsquery)
            ${where.map((w) => `AND ${w}`).join(' ')}
          ORDER BY m.created_at DESC, m.session_id ASC, m.seq DESC
          LIMIT :candidates`,
  };
}
