import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';
import type { ChatRole, ToolCallSpec } from '../../protocol/chat-message';
import { SessionEntity } from './session.entity';

/** One chat message in OpenAI Chat Completions form; `seq` orders a session's messages. */
@Entity({ name: 'messages' })
export class MessageEntity {
  @PrimaryColumn({ name: 'session_id', type: 'varchar', length: 128 })
  sessionId!: string;

  @PrimaryColumn({ name: 'seq', type: 'integer' })
  seq!: number;

  @Column({ name: 'role', type: 'varchar', length: 16 })
  role!: ChatRole;

  @Column({ name: 'content', type: 'text', nullable: true })
  content!: string | null;

  @Column({ name: 'name', type: 'varchar', length: 128, nullable: true })
  name!: string | null;

  @Column({ name: 'tool_call_id', type: 'varchar', length: 128, nullable: true })
  toolCallId!: string | null;

  @Column({ name: 'tool_calls', type: 'simple-json', nullable: true })
  toolCalls!: ToolCallSpec[] | null;

  /** The agent that produced an assistant message. */
  @Column({ name: 'agent', type: 'varchar', length: 32, nullable: true })
  agent!: string | null;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @ManyToOne(() => SessionEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'session_id' })
  session?: SessionEntity;
}
