import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PreparedStatements, preparedSql, PreparedSql, SqlValue } from '../database/prepared-statements';
import { TransactionRunner } from '../database/transaction-runner';
import { SessionEventEntity } from './entities/session-event.entity';

export interface StoredEvent {
  readonly sessionId: string;
  readonly seq: number;
  /** The frame's JSON text. */
  readonly frame: string;
  readonly createdAt: Date;
}

const READ_AFTER = preparedSql(
  'session_events_read_after',
  'SELECT seq, frame, created_at FROM session_events WHERE session_id = $1 AND seq > $2 ORDER BY seq',
);
const MAX_SEQ = preparedSql('session_events_max_seq', 'SELECT MAX(seq) AS max FROM session_events WHERE session_id = $1');

/** Rows per prepared INSERT: a batch is written with as few statements of these sizes as it takes. */
const CHUNKS = [100, 10, 1] as const;
const INSERT_EVENTS = new Map<number, PreparedSql>(
  CHUNKS.map((rows) => [
    rows,
    preparedSql(
      `session_events_insert_${rows}`,
      `INSERT INTO session_events (session_id, seq, frame, created_at) VALUES ${Array.from(
        { length: rows },
        (_, r) => `($${4 * r + 1}, $${4 * r + 2}, $${4 * r + 3}, $${4 * r + 4})`,
      ).join(', ')}`,
    ),
  ]),
);

/** Durable part of the session event log: batched inserts, ordered reads, retention. */
@Injectable()
export class SessionEventStore {
  constructor(
    @InjectRepository(SessionEventEntity) private readonly events: Repository<SessionEventEntity>,
    private readonly tx: TransactionRunner,
    private readonly sql: PreparedStatements,
  ) {}

  /** Writes a batch in one transaction (a write per batch, never per token), with prepared multi-row INSERTs. */
  async insert(rows: readonly StoredEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await this.tx.run(async (manager) => {
      let i = 0;
      for (const size of CHUNKS) {
        const statement = INSERT_EVENTS.get(size) as PreparedSql;
        for (; i + size <= rows.length; i += size) {
          const values: SqlValue[] = [];
          for (const r of rows.slice(i, i + size)) values.push(r.sessionId, r.seq, r.frame, r.createdAt.getTime());
          await this.sql.query(manager, statement, values);
        }
      }
    });
  }

  async readAfter(sessionId: string, afterSeq: number): Promise<StoredEvent[]> {
    const rows = await this.sql.query<{ seq: number | string; frame: string; created_at: number | string }>(
      this.events.manager,
      READ_AFTER,
      [sessionId, afterSeq],
    );
    return rows.map((r) => ({ sessionId, seq: Number(r.seq), frame: r.frame, createdAt: new Date(Number(r.created_at)) }));
  }

  async maxSeq(sessionId: string): Promise<number> {
    const [row] = await this.sql.query<{ max: number | string | null }>(this.events.manager, MAX_SEQ, [sessionId]);
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max);
  }

  /**
   * Retention: a frame is deleted only when it is older than `maxAge` AND more than `keepLast` frames
   * behind its session's newest one, so each session keeps at least its last `keepLast` frames and at
   * least everything from the last `maxAge`.
   */
  async prune(now: Date, keepLast: number, maxAgeMs: number): Promise<number> {
    const cutoff = now.getTime() - maxAgeMs;
    const result = await this.tx.run((manager) =>
      manager
        .createQueryBuilder()
        .delete()
        .from(SessionEventEntity)
        .where('created_at < :cutoff', { cutoff })
        .andWhere(
          'seq <= (SELECT MAX(newest.seq) FROM session_events newest WHERE newest.session_id = session_events.session_id) - :keepLast',
          { keepLast },
        )
        .execute(),
    );
    return result.affected ?? 0;
  }
}
