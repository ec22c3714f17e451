import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { MoreThan, Repository } from 'typeorm';
import { sessionNotFound } from '../common/domain.error';
import { TransactionRunner } from '../database/transaction-runner';
import { isUniqueViolation } from '../database/unique-violation';
import { SessionEventEntity } from './entities/session-event.entity';
import { SessionEntity } from './entities/session.entity';
import { SessionStreamEntity } from './entities/session-stream.entity';

export interface StoredEvent {
  /** The stream: one incarnation of a session id (a deleted and re-created id gets a new one). */
  readonly incarnation: string;
  readonly seq: number;
  /** The frame's JSON text. */
  readonly frame: string;
  readonly createdAt: Date;
}

const INSERT_CHUNK = 500;

/**
 * Durable part of the session event log: one stream per incarnation of a session id, batched inserts,
 * ordered reads, retention. Deleting a session deletes its stream and events (cascade).
 */
@Injectable()
export class SessionEventStore {
  constructor(
    @InjectRepository(SessionEventEntity) private readonly events: Repository<SessionEventEntity>,
    @InjectRepository(SessionStreamEntity) private readonly streams: Repository<SessionStreamEntity>,
    private readonly tx: TransactionRunner,
  ) {}

  /** The key of the session's current stream, or null when it has none (no frame yet, or no session). */
  async streamOf(sessionId: string): Promise<string | null> {
    const row = await this.streams.findOne({ select: { incarnation: true }, where: { sessionId } });
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

  /** False once the stream's session was deleted. */
  async streamExists(incarnation: string): Promise<boolean> {
    return this.streams.existsBy({ incarnation });
  }

  /** Writes a batch in one transaction (a write per batch, never per token). */
  async insert(rows: readonly StoredEvent[]): Promise<void> {
    if (rows.length === 0) return;
    await this.tx.run(async (manager) => {
      for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
        await manager.insert(SessionEventEntity, rows.slice(i, i + INSERT_CHUNK).map((r) => ({ ...r })));
      }
    });
  }

  async readAfter(incarnation: string, afterSeq: number): Promise<StoredEvent[]> {
    const rows = await this.events.find({ where: { incarnation, seq: MoreThan(afterSeq) }, order: { seq: 'ASC' } });
    return rows.map((r) => ({ incarnation: r.incarnation, seq: r.seq, frame: r.frame, createdAt: r.createdAt }));
  }

  async maxSeq(incarnation: string): Promise<number> {
    const row = await this.events
      .createQueryBuilder('e')
      .select('MAX(e.seq)', 'max')
      .where('e.incarnation = :incarnation', { incarnation })
      .getRawOne<{ max: number | string | null }>();
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
