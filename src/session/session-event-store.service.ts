import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { PreparedStatements, preparedSql, PreparedSql, SqlValue } from '../database/prepared-statements';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { SessionEventEntity } from './entities/session-event.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionStreamEntity } from './entities/session-stream.entity';
import { EventRow, framesOfRows } from './event-runs';

/** A row of the log: one frame, or a run of consecutive ones (see event-runs.ts). */
export type StoredEvent = EventRow;

const READ_AFTER = preparedSql(
  'session_events_read_after_incarnation',
  'SELECT seq, frame, created_at FROM session_events WHERE incarnation = $1 AND seq > $2 ORDER BY seq',
);
const STREAM_OF = preparedSql('session_streams_of', 'SELECT incarnation FROM session_streams WHERE session_id = $1');
const STREAM_AND_MAX_SEQ = preparedSql(
  'session_events_stream_and_max_seq',
  'SELECT st.incarnation, (SELECT MAX(e.seq) FROM session_events e WHERE e.incarnation = st.incarnation) AS max_seq ' +
    'FROM session_streams st WHERE st.session_id = $1',
);
const MAX_SEQ = preparedSql(
  'session_events_max_seq_incarnation',
  'SELECT MAX(seq) AS max FROM session_events WHERE incarnation = $1',
);

/** Rows per prepared INSERT: a batch is written with as few statements of these sizes as it takes. */
const CHUNKS = [100, 10, 1] as const;
const INSERT_EVENTS = new Map<number, PreparedSql>(
  CHUNKS.map((rows) => [
    rows,
    preparedSql(
      `session_events_insert_incarnation_${rows}`,
      `INSERT INTO session_events (incarnation, seq, frame, created_at) VALUES ${Array.from(
        { length: rows },
        (_, r) => `($${4 * r + 1}, $${4 * r + 2}, $${4 * r + 3}, $${4 * r + 4})`,
      ).join(', ')}`,
    ),
  ]),
);

/**
 * Durable part of the session event log: one stream per incarnation of a session id, batched inserts
 * of runs of frames (event-runs.ts), ordered reads, retention. Deleting a session deletes its stream and events (cascade).
 */
@Injectable()
export class SessionEventStore {
  constructor(
    @InjectRepository(SessionEventEntity) private readonly events: Repository<SessionEventEntity>,
    @InjectRepository(SessionStreamEntity) private readonly streams: Repository<SessionStreamEntity>,
    private readonly tx: TransactionRunner,
    private readonly sql: PreparedStatements,
  ) {}

  /** The key of the session's current stream, or null when it has none (no frame yet, or no session). */
  async streamOf(sessionId: string): Promise<string | null> {
    const [row] = await this.sql.query<{ incarnation: string }>(this.events.manager, STREAM_OF, [sessionId]);
    return row?.incarnation ?? null;
  }

  /** The session's current stream, created on first use. Fails with `session_not_found` for a missing session. */
  async openStream(sessionId: string): Promise<string> {
    const existing = await this.streamOf(sessionId);
    if (existing) return existing;
    const incarnation = randomUUID();
    try {
      const created = await this.tx.run(async (manager) => {
        if (!(await manager.existsBy(SessionEntity, { id: sessionId }))) return false;
        await manager.insert(SessionStreamEntity, { sessionId, incarnation, createdAt: new Date() });
        return true;
      });
      if (!created) throw sessionNotFound(sessionId);
      return incarnation;
    } catch (error) {
      // Another instance opened it first.
      if (!isUniqueViolation(error)) throw error;
      const winner = await this.streamOf(sessionId);
      if (winner === null) throw error;
      return winner;
    }
  }

  /**
   * The session's current stream and its highest seq (0 when it has no frame), in one indexed read;
   * the stream is created on first use (sessions created before streams were made with them).
   * Fails with `session_not_found` for a missing session.
   */
  async openStreamAt(sessionId: string): Promise<{ incarnation: string; lastSeq: number }> {
    const [row] = await this.sql.query<{ incarnation: string; max_seq: number | string | null }>(this.events.manager, STREAM_AND_MAX_SEQ, [sessionId]);
    if (row) return { incarnation: row.incarnation, lastSeq: row.max_seq === null ? 0 : Number(row.max_seq) };
    const incarnation = await this.openStream(sessionId);
    return { incarnation, lastSeq: await this.maxSeq(incarnation) };
  }

  /** False once the stream's session was deleted. */
  async streamExists(incarnation: string): Promise<boolean> {
    return this.streams.existsBy({ incarnation });
  }

  /** Writes a batch of rows (runs of frames) in one transaction, with prepared multi-row INSERTs. */
  async insert(rows: readonly StoredEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await this.tx.run(async (manager) => {
      let i = 0;
      for (const size of CHUNKS) {
        const statement = INSERT_EVENTS.get(size) as PreparedSql;
        for (; i + size <= rows.length; i += size) {
          const values: SqlValue[] = [];
          for (const r of rows.slice(i, i + size)) values.push(r.incarnation, r.seq, r.frame, r.createdAt.getTime());
          await this.sql.query(manager, statement, values);
        }
      }
    });
  }

  /** The frames after `afterSeq`, one entry per frame (runs are unpacked), in seq order. */
  async readAfter(incarnation: string, afterSeq: number): Promise<StoredEvent[]> {
    const rows = await this.sql.query<{ seq: number | string; frame: string; created_at: number | string }>(
      this.events.manager,
      READ_AFTER,
      [incarnation, afterSeq],
    );
    return framesOfRows(
      rows.map((r) => ({ incarnation, seq: Number(r.seq), frame: r.frame, createdAt: new Date(Number(r.created_at)) })),
      afterSeq,
    );
  }

  async maxSeq(incarnation: string): Promise<number> {
    const [row] = await this.sql.query<{ max: number | string | null }>(this.events.manager, MAX_SEQ, [incarnation]);
    return row?.max === null || row?.max === undefined ? 0 : Number(row.max);
  }

  /**
   * Retention: a frame is deleted only when it is older than `maxAge` AND more than `keepLast` frames
   * behind its stream's newest one, so each session keeps at least its last `keepLast` frames and at
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
          'seq <= (SELECT MAX(newest.seq) FROM session_events newest WHERE newest.incarnation = session_events.incarnation) - :keepLast',
          { keepLast },
        )
        .execute(),
    );
    return result.affected ?? 0;
  }
}
