import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
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
  ) {
    this.ttlMs = (config.auth.login?.refreshTokenTtlSeconds ?? 0) * 1000;
  }

  /** A new token; a new family unless `familyId` continues one. Expired tokens of the user are dropped. */
  async issue(userId: string, clientId: string, scope: string, familyId?: string): Promise<string> {
    const token = REFRESH_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const now = new Date();
    await this.tokens.insert({
      tokenHash: digest(token),
      familyId: familyId ?? randomUUID(),
      userId,
      clientId,
      scope,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.ttlMs),
      usedAt: null,
      revokedAt: null,
    });
    if (familyId === undefined) {
      // Epoch-ms columns: compared as numbers (a Date in a find operator would skip the column transformer).
      await this.tokens.createQueryBuilder().delete().where('user_id = :userId AND expires_at < :now', { userId, now: now.getTime() }).execute();
    }
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
    // Only one of two concurrent uses wins the conditional update; the other counts as a reuse.
    const claimed = await this.tokens.update({ tokenHash: row.tokenHash, usedAt: IsNull(), revokedAt: IsNull() }, { usedAt: new Date() });
    if (!claimed.affected) {
      await this.revokeFamily(row.familyId);
      this.logger.warn(`user=${row.userId} used a refresh token twice at once: family ${row.familyId} revoked`);
      return 'reused';
    }
    const refreshToken = await this.issue(row.userId, row.clientId, row.scope, row.familyId);
    // A concurrent reuse may have revoked the family between our claim and the successor's insert: the
    // successor must not outlive its family, so revoke again (the winner's answer stays, its token is dead).
    if (await this.tokens.existsBy({ tokenHash: row.tokenHash, revokedAt: Not(IsNull()) })) await this.revokeFamily(row.familyId);
    return { userId: row.userId, scope: row.scope, refreshToken };
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.tokens.update({ userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.tokens.update({ familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
