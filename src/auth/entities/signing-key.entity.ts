import { Column, Entity, PrimaryColumn } from 'typeorm';
import { epochMs } from '../../database/epoch-ms.transformer';

/** An RS256 key pair that signs access tokens. The newest unretired key signs; all listed keys verify. */
@Entity({ name: 'signing_keys' })
export class SigningKeyEntity {
  @PrimaryColumn({ name: 'kid', type: 'varchar', length: 64 })
  kid!: string;

  @Column({ name: 'algorithm', type: 'varchar', length: 16 })
  algorithm!: string;

  /** PKCS#8 PEM. */
  @Column({ name: 'private_key', type: 'text' })
  privateKey!: string;

  /** The public key as a JWK (JSON). */
  @Column({ name: 'public_jwk', type: 'text' })
  publicJwk!: string;

  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs })
  createdAt!: Date;

  /** Set when a newer key took over; the key still verifies until it is pruned. */
  @Column({ name: 'retired_at', type: 'bigint', nullable: true, transformer: epochMs })
  retiredAt!: Date | null;
}
