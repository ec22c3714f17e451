import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

@Entity({ name: 'sessions' })
@Index('IDX_SESSIONS_LAST_ACTIVITY', ['lastActivity'])
@Index('IDX_SESSIONS_OWNER_LAST_ACTIVITY', ['ownerId', 'lastActivity'])
export class SessionEntity {
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 128 })
  id!: string;

  /** The user who created it (JWT `sub` or API-key user); null when created with authentication off. */
  @Column({ name: 'owner_id', type: 'varchar', length: 128, nullable: true })
  ownerId!: string | null;

  /** True when the server made the id (an authenticated POST /sessions without session_id). */
  @Column({ name: 'server_made_id', type: 'boolean', default: false })
  serverMadeId!: boolean;

  @Column({ name: 'title', type: 'varchar', length: 200, nullable: true })
  title!: string | null;

  /** Number of rows in `messages` for this session; also the `seq` of the next message. */
  @Column({ name: 'message_count', type: 'integer', default: 0 })
  messageCount!: number;

  /** Incremented by every conversation commit: a cached copy of the session's state is current while it matches. */
  @Column({ name: 'version', type: 'integer', default: 0 })
  version!: number;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'last_activity', type: 'bigint', transformer: epochMs })
  lastActivity!: Date;
}
