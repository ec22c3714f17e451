import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import { SessionStreamEntity } from './session-stream.entity';

/** One frame of a session's event log (protocol 2 replay), numbered by `seq` within its stream. */
@Entity({ name: 'session_events' })
@Index('IDX_SESSION_EVENTS_CREATED_AT', ['createdAt'])
export class SessionEventEntity {
  /** The stream (one incarnation of a session id), see {@link SessionStreamEntity}. */
  @PrimaryColumn({ name: 'incarnation', type: 'varchar', length: 128 })
  incarnation!: string;

  @PrimaryColumn({ name: 'seq', type: 'integer' })
  seq!: number;

  /** The frame as sent, JSON. */
  @Column({ name: 'frame', type: 'text' })
  frame!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @ManyToOne(() => SessionStreamEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'incarnation', referencedColumnName: 'incarnation' })
  stream?: SessionStreamEntity;
}
