/**
 * Bulk insert of sessions and messages straight into a migrated SQLite file (the service must not be
 * running): one transaction, multi-row prepared statements. Rows follow the schema the service writes:
 * a `sessions` row whose message_count is the number of its messages, an `agent_contexts` row (agent
 * `coder`, empty history), and messages with seq 0..n-1 alternating user / assistant. Each message
 * carries three topic words drawn from a 5,000-word vocabulary with a Zipf-like skew (the commonest
 * word is in about 30 % of the messages, the rarest in about one in 15,000), so that full-text search has words of
 * every frequency to find; the search triggers index the rows as they are inserted.
 */
import { performance } from 'node:perf_hooks';
import sqlite3 from 'sqlite3';

export interface SeedSession {
  readonly id: string;
  readonly messages: number;
}

export interface SeedPlan {
  readonly bulkSessions: number;
  readonly messagesPerBulkSession: number;
  /** Sessions with a given history length (e.g. the 10,000-message one). */
  readonly extra: readonly SeedSession[];
}

export interface SeedResult {
  readonly sessions: number;
  readonly messages: number;
  readonly seconds: number;
  readonly fileBytes: number;
}

type Value = string | number | null;

export const bulkSessionId = (i: number): string => `bench-${String(i).padStart(7, '0')}`;

const SESSION_COLUMNS = ['id', 'title', 'message_count', 'created_at', 'last_activity'];
const CONTEXT_COLUMNS = ['session_id', 'current_agent', 'agent_history', 'context_metadata', 'created_at', 'switch_count'];
const MESSAGE_COLUMNS = ['session_id', 'seq', 'role', 'content', 'agent', 'created_at'];
const ROWS_PER_STATEMENT = 150; // 150 x 6 = 900 parameters, under SQLite's oldest limit of 999
const IN_FLIGHT = 32;
const FILLER = 'please look at the function below and explain what it does, then suggest a cleaner version';
const SYLLABLES = ['ka', 'lo', 'mi', 'nu', 'pe', 'ra', 'si', 'to', 'vu', 'ze', 'bo', 'da', 'fi', 'gu', 'he', 'jo', 'ke', 'li', 'mo', 'na'];
export const TOPIC_WORDS = 5000;

/** The `rank`-th topic word (0 = the commonest): three syllables, e.g. `kakaka`, `lokaka`. */
export function topicWord(rank: number): string {
  const n = SYLLABLES.length;
  return `${SYLLABLES[rank % n]}${SYLLABLES[Math.floor(rank / n) % n]}${SYLLABLES[Math.floor(rank / n / n) % n]}`;
}

/** Cumulative Zipf weights (s = 1) of the topic words, for sampling by binary search. */
const ZIPF = ((): Float64Array => {
  const cumulative = new Float64Array(TOPIC_WORDS);
  let sum = 0;
  for (let k = 0; k < TOPIC_WORDS; k++) cumulative[k] = sum += 1 / (k + 1);
  return cumulative.map((v) => v / sum);
})();

/** Three topic words for one message, the same in every run (a hash of the session index and seq). */
function topics(sessionIndex: number, seq: number): string {
  let state = (sessionIndex * 2654435761 + seq * 40503 + 12345) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < 3; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const u = state / 2 ** 32;
    let lo = 0;
    let hi = TOPIC_WORDS - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((ZIPF[mid] ?? 1) < u) lo = mid + 1;
      else hi = mid;
    }
    words.push(topicWord(lo));
  }
  return words.join(' ');
}

/** Inserts `rows` of one table with multi-row INSERTs, a few statements in flight at a time. */
class BulkInserter {
  private readonly statements = new Map<number, sqlite3.Statement>();
  private pending: Value[][] = [];
  private inFlight: Promise<void>[] = [];

  constructor(
    private readonly db: sqlite3.Database,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  async add(row: Value[]): Promise<void> {
    this.pending.push(row);
    if (this.pending.length >= ROWS_PER_STATEMENT) await this.flushRows();
  }

  async finish(): Promise<void> {
    if (this.pending.length > 0) await this.flushRows();
    await Promise.all(this.inFlight);
    this.inFlight = [];
    await Promise.all([...this.statements.values()].map((s) => new Promise<void>((resolve) => s.finalize(() => resolve()))));
  }

  private async flushRows(): Promise<void> {
    const rows = this.pending;
    this.pending = [];
    const statement = this.statement(rows.length);
    this.inFlight.push(
      new Promise<void>((resolve, reject) => statement.run(rows.flat(), (err: Error | null) => (err ? reject(err) : resolve()))),
    );
    if (this.inFlight.length >= IN_FLIGHT) {
      await Promise.all(this.inFlight);
      this.inFlight = [];
    }
  }

  private statement(rowCount: number): sqlite3.Statement {
    let statement = this.statements.get(rowCount);
    if (!statement) {
      const tuple = `(${this.columns.map(() => '?').join(',')})`;
      const sql = `INSERT INTO ${this.table} (${this.columns.join(',')}) VALUES ${Array(rowCount).fill(tuple).join(',')}`;
      statement = this.db.prepare(sql);
      this.statements.set(rowCount, statement);
    }
    return statement;
  }
}

export async function seedDatabase(file: string, plan: SeedPlan): Promise<SeedResult> {
  const started = performance.now();
  const db = await open(file);
  try {
    await exec(db, 'PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; BEGIN');
    const sessions = new BulkInserter(db, 'sessions', SESSION_COLUMNS);
    const contexts = new BulkInserter(db, 'agent_contexts', CONTEXT_COLUMNS);
    const messages = new BulkInserter(db, 'messages', MESSAGE_COLUMNS);
    const all: SeedSession[] = [...plan.extra];
    const now = Date.now();
    let sessionCount = 0;
    let messageCount = 0;
    const addSession = async (session: SeedSession, index: number): Promise<void> => {
      // Older sessions first: index 0 is the most recently active.
      const created = now - 86_400_000 - index * 1000;
      const last = now - index * 1000;
      await sessions.add([session.id, `Bench session ${index}`, session.messages, created, last]);
      await contexts.add([session.id, 'coder', '[]', '{}', created, 0]);
      for (let seq = 0; seq < session.messages; seq++) {
        const user = seq % 2 === 0;
        await messages.add([
          session.id,
          seq,
          user ? 'user' : 'assistant',
          `${user ? 'Message' : 'Reply'} ${seq} of ${session.id}: ${FILLER} (${topics(index, seq)})`,
          user ? null : 'coder',
          created + seq,
        ]);
      }
      sessionCount += 1;
      messageCount += session.messages;
    };
    for (let i = 0; i < all.length; i++) await addSession(all[i] as SeedSession, i);
    for (let i = 0; i < plan.bulkSessions; i++) {
      await addSession({ id: bulkSessionId(i), messages: plan.messagesPerBulkSession }, all.length + i);
    }
    await sessions.finish();
    await contexts.finish();
    await messages.finish();
    await exec(db, 'COMMIT');
    await exec(db, 'PRAGMA wal_checkpoint(TRUNCATE)');
    const fileBytes = await pageBytes(db);
    return { sessions: sessionCount, messages: messageCount, seconds: (performance.now() - started) / 1000, fileBytes };
  } finally {
    await new Promise<void>((resolve) => db.close(() => resolve()));
  }
}

function open(file: string): Promise<sqlite3.Database> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READWRITE, (err: Error | null) => (err ? reject(err) : resolve(db)));
  });
}

function exec(db: sqlite3.Database, sql: string): Promise<void> {
  return new Promise((resolve, reject) => db.exec(sql, (err: Error | null) => (err ? reject(err) : resolve())));
}

function pageBytes(db: sqlite3.Database): Promise<number> {
  return new Promise((resolve, reject) =>
    db.get(
      'SELECT page_count * page_size AS bytes FROM pragma_page_count(), pragma_page_size()',
      (err: Error | null, row: { bytes: number } | undefined) => (err ? reject(err) : resolve(row?.bytes ?? 0)),
    ),
  );
}
