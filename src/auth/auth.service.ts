import { createHash, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, JWTPayload, jwtVerify } from 'jose';
import { APP_CONFIG, AppConfig, AuthConfig } from '../config/app-config';
import { SigningKeys } from './keys/signing-keys.service';
import { ANONYMOUS, AuthenticationError, Credentials, Principal } from './principal';

const JWKS_ALGORITHMS = ['RS256', 'ES256'];

/**
 * Turns credentials into a principal: a JWT bearer token (HS256 with AUTH_JWT_SECRET, or RS256/ES256
 * from AUTH_JWKS_URL, cached, with issuer/audience checks; `exp` is required) or a static API key. Tokens
 * of the older auth-service work (`sub`, `type:"access"`; refresh tokens are refused), and so do the
 * tokens of the built-in login (RS256, verified against our own keys by `kid`). Every transport
 * authenticates here. Credentials are never logged.
 */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);
  private readonly config: AuthConfig;
  private readonly secret: Uint8Array | undefined;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly apiKeys: { digest: Buffer; userId: string }[];

  constructor(
    @Inject(APP_CONFIG) appConfig: AppConfig,
    private readonly ownKeys: SigningKeys,
  ) {
    this.config = appConfig.auth;
    this.secret = this.config.jwtSecret ? new TextEncoder().encode(this.config.jwtSecret) : undefined;
    this.jwks = this.config.jwksUrl
      ? createRemoteJWKSet(new URL(this.config.jwksUrl), { cacheMaxAge: 10 * 60_000, cooldownDuration: 30_000, timeoutDuration: 5_000 })
      : undefined;
    this.apiKeys = [...this.config.apiKeys].map(([key, userId]) => ({ digest: digest(key), userId }));
  }

  /** The caller's principal; throws AuthenticationError (→ 401) when auth is on and the credential is missing or bad. */
  async authenticate(credentials: Credentials): Promise<Principal> {
    if (!this.config.enabled) return ANONYMOUS;
    if (credentials.apiKey) return this.byApiKey(credentials.apiKey);
    const bearer = /^Bearer\s+(\S+)$/i.exec(credentials.authorization ?? '')?.[1] ?? credentials.accessToken;
    if (bearer) return this.byToken(bearer);
    throw new AuthenticationError('Authentication required: send Authorization: Bearer <token> or X-API-Key');
  }

  private byApiKey(key: string): Principal {
    const candidate = digest(key);
    const match = this.apiKeys.find((k) => timingSafeEqual(k.digest, candidate));
    if (!match) throw new AuthenticationError('Invalid API key');
    return { userId: match.userId, via: 'api_key' };
  }

  private async byToken(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const { alg, kid } = decodeProtectedHeader(token);
      // A token without `exp` would be valid forever once leaked: refuse it (jose accepts it otherwise).
      const options = {
        issuer: this.config.issuer,
        audience: this.config.audience,
        clockTolerance: 5,
        requiredClaims: ['exp'],
      };
      const login = this.config.login;
      const ownKey = alg === 'RS256' && kid && login ? await this.ownKeys.publicKey(kid) : undefined;
      if (ownKey && login) {
        ({ payload } = await jwtVerify(token, ownKey, { ...options, issuer: login.issuer, audience: login.audience, algorithms: ['RS256'] }));
      } else if (alg === 'HS256' && this.secret) {
        ({ payload } = await jwtVerify(token, this.secret, { ...options, algorithms: ['HS256'] }));
      } else if (alg && JWKS_ALGORITHMS.includes(alg) && this.jwks) {
        ({ payload } = await jwtVerify(token, this.jwks, { ...options, algorithms: JWKS_ALGORITHMS }));
      } else {
        throw new AuthenticationError(`Invalid token: algorithm ${alg ?? 'none'} is not accepted`);
      }
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(`Invalid token: ${describeJoseError(error, this.logger)}`);
    }
    if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 128) {
      throw new AuthenticationError('Invalid token: the sub claim is missing');
    }
    if (payload['type'] !== undefined && payload['type'] !== 'access') {
      throw new AuthenticationError('Invalid token: not an access token');
    }
    return { userId: payload.sub, via: 'jwt' };
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function describeJoseError(error: unknown, logger: Logger): string {
  if (error instanceof joseErrors.JWTExpired) return 'expired';
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `the ${error.claim} claim is missing` : `claim ${error.claim} is not valid`;
  }
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) return 'signature does not verify';
  if (error instanceof joseErrors.JWKSNoMatchingKey) return 'no matching key';
  if (error instanceof joseErrors.JOSEError) return error.code;
  logger.warn(`token verification failed: ${(error as Error).message}`);
  return 'could not be verified';
}
