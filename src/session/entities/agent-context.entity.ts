import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import type { AgentSwitchRecord, ContextMetadata } from '../conversation-state';
import { SessionEntity } from './session.entity';

/** Which agent a session is talking to, how it got there, and the turn's paused state. */
@Entity({ name: 'agent_contexts' })
export class AgentContextEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId!: string;

  @Column({ name: 'current_agent', type: 'varchar', length: 32 })
  currentAgent!: string;

  @Column({ name: 'agent_history', type: 'simple-json' })
  agentHistory!: AgentSwitchRecord[];

  @Column({ name: 'context_metadata', type: 'simple-json' })
  contextMetadata!: ContextMetadata;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'last_switch_at', type: 'bigint', nullable: true, transformer: epochMs })
  lastSwitchAt!: Date | null;

  @Column({ name: 'switch_count', type: 'integer', default: 0 })
  switchCount!: number;

  @OneToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;
}
