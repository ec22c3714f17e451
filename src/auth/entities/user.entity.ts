import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/** A user of the built-in login. The password is kept only as a scrypt hash. */
@Entity({ name: 'users' })
@Index('IDX_USERS_USERNAME', ['username'], { unique: true })
export class UserEntity {
  /** A UUID: the `sub` of the user's tokens and the owner of the user's sessions. */
  @PrimaryColumn({ name: 'id', type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'username', type: 'varchar', length: 64 })
  username!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ name: 'disabled', type: 'boolean', default: false })
  disabled!: boolean;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  @Column({ name: 'updated_at', type: 'bigint', transformer: epochMs })
  updatedAt!: Date;
}
