import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../database/transaction-runner';
import { RefreshTokenEntity } from '../entities/refresh-token.entity';

/** Refresh tokens carry this prefix, so that they are recognisable (and redacted) wherever they appear. */
export const REFRESH_TOKEN_PREFIX = 'clrt_';

/** What a valid refresh token stood for, and its successor. */
export interface Rotation {
  readonly userId: string;
  readonly scope: string;
  readonly refreshToken: string;
}

export type RotationFailure = 'unknown' | 'expired' | 'wrong_client' | 'reused';

/**
 * Opaque, rotating refresh tokens (PROTOCOL §10): 32 random bytes, stored only as their SHA-256. Every
 * use marks the token used and issues a successor in the same family; a used or revoked token presented
 * again means it leaked, so the whole family is revoked (the thief and the user both have to log in again).
 */
@Injectable()
export class RefreshTokens {
  private readonly logger = new Logger(RefreshTokens.name);
  private readonly ttlMs: number;

  constructor(
    @InjectRepository(RefreshTokenEntity) private readonly tokens: Repository<RefreshTokenEntity>,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly tx: TransactionRunner,
  ) {
    this.ttlMs = (config.auth.login?.refreshTokenTtlSeconds ?? 0) * 1000;
  }

  /** A new token in a new family. Expired tokens of the user are dropped. */
  async issue(userId: string, clientId: string, scope: string): Promise<string> {
    const now = new Date();
    const token = await this.insert(this.tokens.manager, { userId, clientId, scope, familyId: randomUUID() }, now);
    // Epoch-ms columns: compared as numbers (a Date in a find operator would skip the column transformer).
    await this.tokens.createQueryBuilder().delete().where('user_id = :userId AND expires_at < :now', { userId, now: now.getTime() }).execute();
    return token;
  }

  /** Uses the token once: its successor, or why it cannot be used (a reuse revokes the family). */
  async rotate(token: string, clientId: string): Promise<Rotation | RotationFailure> {
    const row = await this.tokens.findOneBy({ tokenHash: digest(token) });
    if (!row) return 'unknown';
    if (row.usedAt !== null || row.revokedAt !== null) {
      await this.revokeFamily(row.familyId);
      this.logger.warn(`user=${row.userId} presented a used refresh token: family ${row.familyId} revoked`);
      return 'reused';
    }
    if (row.clientId !== clientId) return 'wrong_client';
    if (row.expiresAt.getTime() <= Date.now()) return 'expired';
    // Only one of two concurrent uses wins the conditional update; the other counts as a reuse. The claim
    // and the successor commit together: a concurrent use that lost waits for that commit (the row lock on
    // PostgreSQL, the one writer on SQLite), so the family it then revokes includes the successor.
    const refreshToken = await this.tx.run(async (manager) => {
      const claimed = await manager.update(RefreshTokenEntity, { tokenHash: row.tokenHash, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: new Date() });
      return claimed.affected ? this.insert(manager, row, new Date()) : null;
    });
    if (refreshToken === null) {
      await this.revokeFamily(row.familyId);
      this.logger.warn(`user=${row.userId} used a refresh token twice at once: family ${row.familyId} revoked`);
      return 'reused';
    }
    return { userId: row.userId, scope: row.scope, refreshToken };
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private async insert(
    manager: EntityManager,
    family: Pick<RefreshTokenEntity, 'userId' | 'clientId' | 'scope' | 'familyId'>,
    now: Date,
  ): Promise<string> {
    const token = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    await manager.insert(RefreshTokenEntity, {
      tokenHash: digest(token),
      familyId: family.familyId,
      userId: family.userId,
      clientId: family.clientId,
      scope: family.scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
      usedAt: null,
      revokedAt: null,
    });
    return token;
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
