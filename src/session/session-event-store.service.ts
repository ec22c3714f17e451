import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import { TransactionRunner } from '../database/transaction-runner';
import { SessionEventEntity } from './entities/session-event.entity';

export interface StoredEvent {
  readonly sessionId: string;
  readonly seq: number;
  /** The frame's JSON text. */
  readonly frame: string;
  readonly createdAt: Date;
}

const INSERT_CHUNK = 500;

/** Durable part of the session event log: batched inserts, ordered reads, retention. */
@Injectable()
export class SessionEventStore {
  constructor(
    @InjectRepository(SessionEventEntity) private readonly events: Repository<SessionEventEntity>,
    private readonly tx: TransactionRunner,
  ) {}

  /** Writes a batch in one transaction (a write per batch, never per token). */
  async insert(rows: readonly StoredEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await this.tx.run(async (manager) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await manager.insert(SessionEventEntity, rows.slice(i, i + INSERT_CHUNK).map((r) => ({ ...r })));
      }
    });
  }

  async readAfter(sessionId: string, afterSeq: number): Promise<StoredEvent[]> {
    const rows = await this.events.find({ where: { sessionId, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' } });
    return rows.map((r) => ({ sessionId: r.sessionId, seq: r.seq, frame: r.frame, createdAt: r.createdAt }));
  }

  async maxSeq(sessionId: string): Promise<number> {
    const row = await this.events
      .createQueryBuilder('e')
      .select('MAX(e.seq)', 'max')
      .where('e.session_id = :sessionId', { sessionId })
      .getRawOne<{ max: number | string | null }>();
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
