import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { SignJWT } from 'jose';
import { APP_CONFIG, AppConfig, LoginConfig } from '../../config/app-config';
import { SigningKeys } from '../keys/signing-keys.service';

/**
 * Signs access tokens: RS256 with the current key's `kid`, claims as the older CodeLab auth-service
 * made them (`sub` = user id, `type:"access"`, `client_id`, `scope`, `iss`, `aud`, `iat`, `nbf`, `exp`,
 * `jti`), so every verifier of those tokens accepts ours.
 */
@Injectable()
export class AccessTokens {
  constructor(
    private readonly keys: SigningKeys,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private get login(): LoginConfig {
    if (this.config.auth.login === null) throw new Error('the built-in login is off');
    return this.config.auth.login;
  }

  get ttlSeconds(): number {
    return this.login.accessTokenTtlSeconds;
  }

  async sign(user: { id: string; username: string }, clientId: string, scope: string): Promise<string> {
    const { kid, privateKey } = await this.keys.signingKey();
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ type: 'access', client_id: clientId, scope, preferred_username: user.username })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.login.issuer)
      .setAudience(this.login.audience)
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(now + this.login.accessTokenTtlSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
  }
}
