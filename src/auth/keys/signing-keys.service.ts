import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { calculateJwkThumbprint, JWK } from 'jose';
import { IsNull, Repository } from 'typeorm';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { SigningKeyEntity } from '../entities/signing-key.entity';

const ALGORITHM = 'RS256';
/** Keys made or retired by another instance (or `npm run keys -- rotate`) are seen within this long. */
const RELOAD_AFTER_MS = 60_000;
/** An unknown `kid` triggers a reload at most this often. */
const UNKNOWN_KID_COOLDOWN_MS = 5_000;

interface LoadedKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JWK;
  readonly retired: boolean;
}

/**
 * The RS256 keys that sign our access tokens, kept in the database so every instance and every restart
 * uses the same ones. The first start creates one; `rotate()` adds a new key that signs from then on and
 * retires the previous ones (they keep verifying until `prune()` drops them, i.e. after the longest
 * access-token lifetime). Inert while the built-in login is off.
 */
@Injectable()
export class SigningKeys implements OnModuleInit {
  private readonly logger = new Logger(SigningKeys.name);
  private keys: LoadedKey[] = [];
  private loadedAt = 0;
  private lastUnknownKidReload = 0;

  constructor(
    @InjectRepository(SigningKeyEntity) private readonly repository: Repository<SigningKeyEntity>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (this.config.auth.login === null) return;
    if ((await this.repository.countBy({ retiredAt: IsNull() })) === 0) await this.create();
    await this.reload();
  }

  /** The key that signs new tokens (the newest unretired one). */
  async signingKey(): Promise<{ kid: string; privateKey: KeyObject }> {
    if (Date.now() - this.loadedAt > RELOAD_AFTER_MS) await this.reload();
    const key = this.keys.find((k) => !k.retired);
    if (!key) throw new Error('no signing key: the built-in login is off or the keys table is empty');
    return key;
  }

  /** The public key with this `kid`, reloading once (rate-limited) when it is not known yet. */
  async publicKey(kid: string): Promise<KeyObject | undefined> {
    const known = this.keys.find((k) => k.kid === kid);
    if (known || this.config.auth.login === null) return known?.publicKey;
    if (Date.now() - this.lastUnknownKidReload < UNKNOWN_KID_COOLDOWN_MS) return undefined;
    this.lastUnknownKidReload = Date.now();
    await this.reload();
    return this.keys.find((k) => k.kid === kid)?.publicKey;
  }

  /** The JWKS document: every key that may still verify a token. */
  async jwks(): Promise<{ keys: JWK[] }> {
    if (Date.now() - this.loadedAt > RELOAD_AFTER_MS) await this.reload();
    return { keys: this.keys.map((k) => k.publicJwk) };
  }

  /** Adds a new signing key and retires the others. Returns the new `kid`. */
  async rotate(): Promise<string> {
    const previous = await this.repository.findBy({ retiredAt: IsNull() });
    const kid = await this.create();
    for (const key of previous) await this.repository.update({ kid: key.kid }, { retiredAt: new Date() });
    await this.reload();
    return kid;
  }

  /** Deletes keys retired more than `graceMs` ago (no token they signed can still be valid). */
  async prune(graceMs: number): Promise<string[]> {
    // Epoch-ms column: compared as a number (a Date in a find operator would skip the column transformer).
    const old = await this.repository
      .createQueryBuilder('k')
      .where('k.retired_at IS NOT NULL AND k.retired_at < :before', { before: Date.now() - graceMs })
      .getMany();
    if (old.length > 0) await this.repository.delete(old.map((k) => k.kid));
    await this.reload();
    return old.map((k) => k.kid);
  }

  async list(): Promise<{ kid: string; createdAt: Date; retiredAt: Date | null }[]> {
    const rows = await this.repository.find({ order: { createdAt: 'DESC' } });
    return rows.map((r) => ({ kid: r.kid, createdAt: r.createdAt, retiredAt: r.retiredAt }));
  }

  private async create(): Promise<string> {
    const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const kid = await calculateJwkThumbprint(jwk);
    // Two instances starting at once on an empty table may both create one: both verify, the newest signs.
    await this.repository.insert({
      kid,
      algorithm: ALGORITHM,
      privateKey: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      publicJwk: JSON.stringify({ ...jwk, kid, alg: ALGORITHM, use: 'sig' }),
      createdAt: new Date(),
      retiredAt: null,
    });
    this.logger.log(`created signing key kid=${kid}`);
    return kid;
  }

  private async reload(): Promise<void> {
    const rows = await this.repository.find({ order: { createdAt: 'DESC' } });
    this.keys = rows.map((row) => {
      const privateKey = createPrivateKey(row.privateKey);
      return {
        kid: row.kid,
        privateKey,
        publicKey: createPublicKey(privateKey),
        publicJwk: JSON.parse(row.publicJwk) as JWK,
        retired: row.retiredAt !== null,
      };
    });
    this.loadedAt = Date.now();
  }
}
