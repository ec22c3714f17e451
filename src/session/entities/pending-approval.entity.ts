import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import type { ApprovalStatus } from '../conversation-state';
import { SessionEntity } from './session.entity';

/** A tool call that needs the user's approval; keyed per session so provider ids cannot collide. */
@Entity({ name: 'pending_approvals' })
@Index('IDX_PENDING_APPROVALS_SESSION_STATUS', ['sessionId', 'status'])
export class PendingApprovalEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId!: string;

  @PrimaryColumn({ name: 'call_id', type: 'varchar', length: 128 })
  callId!: string;

  @Column({ name: 'tool_name', type: 'varchar', length: 64 })
  toolName!: string;

  /** A JSON object (`JsonObject`); typed loosely because TypeORM's deep-partial types cannot recurse into JSON. */
  @Column({ name: 'arguments', type: 'simple-json' })
  arguments!: object;

  @Column({ name: 'reason', type: 'varchar', length: 500, nullable: true })
  reason!: string | null;

  @Column({ name: 'status', type: 'varchar', length: 16 })
  status!: ApprovalStatus;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'decided_at', type: 'bigint', nullable: true, transformer: epochMs })
  decidedAt!: Date | null;

  @Column({ name: 'decision_reason', type: 'text', nullable: true })
  decisionReason!: string | null;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;
}
