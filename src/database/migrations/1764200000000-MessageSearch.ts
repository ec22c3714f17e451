import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Full-text search over user and assistant messages (PROTOCOL §5 `GET /search`), kept in step by the
 * database itself so that the runtime's hand-written INSERTs need no change.
 *
 * SQLite: a contentless FTS5 table `message_search` (rowid = the message's rowid; columns: the text,
 * the session owner and the session id, both as one hex token each so that a search can be narrowed
 * inside the index) with the `unicode61 remove_diacritics 2` tokenizer (case folding for every script,
 * Latin accents removed). Triggers on `messages` (and on `sessions.owner_id`) keep it in step.
 *
 * PostgreSQL: a text search configuration `codelab_search` (the `simple` parser and dictionary behind
 * the `unaccent` filter, so case and accents fold and no language stems words) and a partial GIN index
 * over the tsvector expression. An expression index rather than a stored generated column: the same
 * index without a second copy of every text, and TypeORM's entity/schema comparison
 * (`migration:check`) does not see it. Needs the `unaccent` extension (PostgreSQL contrib; trusted
 * since PostgreSQL 13, so the database owner may create it).
 *
 * A later migration that rebuilds `messages` on SQLite (TypeORM does that to add a column) drops these
 * triggers and renumbers rowids: it must run `down` and `up` of this migration around its change.
 */
export class MessageSearch1764200000000 implements MigrationInterface {
  name = 'MessageSearch1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      for (const sql of POSTGRES_UP) await queryRunner.query(sql);
      return;
    }
    for (const sql of SQLITE_UP) await queryRunner.query(sql);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const statements = queryRunner.connection.options.type === 'postgres' ? POSTGRES_DOWN : SQLITE_DOWN;
    for (const sql of statements) await queryRunner.query(sql);
  }
}

/** The indexed roles; tool output (file contents, command logs) is not searched. */
const SEARCHED = `role IN ('user', 'assistant') AND content IS NOT NULL`;

const ownerToken = (column: string): string => `CASE WHEN ${column} IS NULL THEN NULL ELSE 'o' || hex(${column}) END`;
const sessionToken = (column: string): string => `'s' || hex(${column})`;

/** Index rows of `messages m` joined to their `sessions s`. */
const indexRows = (where: string): string =>
  `INSERT INTO message_search (rowid, body, owner, session)
   SELECT m.rowid, m.content, ${ownerToken('s.owner_id')}, ${sessionToken('m.session_id')}
   FROM messages m JOIN sessions s ON s.id = m.session_id
   WHERE m.role IN ('user', 'assistant') AND m.content IS NOT NULL AND ${where}`;

const SQLITE_UP = [
  `CREATE VIRTUAL TABLE message_search USING fts5(
     body, owner, session,
     content='', contentless_delete=1,
     tokenize='unicode61 remove_diacritics 2'
   )`,
  `CREATE TRIGGER message_search_insert AFTER INSERT ON messages
   WHEN new.role IN ('user', 'assistant') AND new.content IS NOT NULL
   BEGIN
     INSERT INTO message_search (rowid, body, owner, session)
     VALUES (new.rowid, new.content,
             (SELECT ${ownerToken('owner_id')} FROM sessions WHERE id = new.session_id),
             ${sessionToken('new.session_id')});
   END`,
  `CREATE TRIGGER message_search_delete AFTER DELETE ON messages
   WHEN old.role IN ('user', 'assistant') AND old.content IS NOT NULL
   BEGIN
     DELETE FROM message_search WHERE rowid = old.rowid;
   END`,
  `CREATE TRIGGER message_search_update AFTER UPDATE OF role, content, session_id ON messages
   BEGIN
     DELETE FROM message_search WHERE rowid = old.rowid;
     ${indexRows('m.rowid = new.rowid')};
   END`,
  `CREATE TRIGGER message_search_owner AFTER UPDATE OF owner_id ON sessions
   BEGIN
     DELETE FROM message_search WHERE rowid IN (SELECT rowid FROM messages WHERE session_id = new.id);
     ${indexRows('m.session_id = new.id')};
   END`,
  // Backfill: the messages stored before this migration.
  indexRows('1 = 1'),
];

const SQLITE_DOWN = [
  'DROP TRIGGER IF EXISTS message_search_owner',
  'DROP TRIGGER IF EXISTS message_search_update',
  'DROP TRIGGER IF EXISTS message_search_delete',
  'DROP TRIGGER IF EXISTS message_search_insert',
  'DROP TABLE IF EXISTS message_search',
];

/**
 * The document of a message: every run of characters that are not letters or digits becomes a space
 * first, so that PostgreSQL's parser splits words exactly where the query builder does (it would
 * otherwise keep `file.ts` or `a-b` as one token). Keep in step with `POSTGRES_DOCUMENT` in
 * src/session/search/postgres-message-search.ts: the index is used only when the query repeats it.
 */
const POSTGRES_DOCUMENT = `to_tsvector('codelab_search'::regconfig, regexp_replace(content, '[^[:alnum:]]+', ' ', 'g'))`;

const POSTGRES_UP = [
  'CREATE EXTENSION IF NOT EXISTS unaccent',
  'CREATE TEXT SEARCH CONFIGURATION codelab_search (COPY = simple)',
  `ALTER TEXT SEARCH CONFIGURATION codelab_search
     ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
     WITH unaccent, simple`,
  `CREATE INDEX "IDX_MESSAGES_SEARCH" ON messages USING GIN (${POSTGRES_DOCUMENT}) WHERE ${SEARCHED}`,
];

// The unaccent extension stays: other objects of the database may use it.
const POSTGRES_DOWN = ['DROP INDEX IF EXISTS "IDX_MESSAGES_SEARCH"', 'DROP TEXT SEARCH CONFIGURATION IF EXISTS codelab_search'];
