import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import { SessionEntity } from './session.entity';

/**
 * The current event stream of a session. A session id that is deleted and created again gets a new
 * `incarnation`, so the event log of the deleted session can never be read or written through the new one.
 */
@Entity({ name: 'session_streams' })
export class SessionStreamEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId!: string;

  @Column({ name: 'incarnation', type: 'varchar', length: 128, unique: true })
  incarnation!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @OneToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;
}
