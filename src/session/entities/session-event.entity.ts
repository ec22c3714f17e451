import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import { SessionEntity } from './session.entity';

/** One frame of a session's event log (protocol 2 replay), numbered by `seq`. */
@Entity({ name: 'session_events' })
@Index('IDX_SESSION_EVENTS_CREATED_AT', ['createdAt'])
export class SessionEventEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId!: string;

  @PrimaryColumn({ name: 'seq', type: 'integer' })
  seq!: number;

  /** The frame as sent, JSON. */
  @Column({ name: 'frame', type: 'text' })
  frame!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;
}
