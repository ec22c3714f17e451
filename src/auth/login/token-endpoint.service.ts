import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AccessTokens } from './access-tokens.service';
import { LoginAttempts } from './login-attempts';
import { OAuthError } from './oauth.error';
import { RefreshTokens, RotationFailure } from './refresh-tokens.service';
import { UsersService } from './users.service';

/** The token endpoint's success answer (RFC 6749 §5.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: 'bearer';
  readonly expires_in: number;
  readonly scope: string;
}

const DEFAULT_SCOPE = 'api';
/** RFC 6749 §3.3: space-separated tokens of printable ASCII except `"` and `\`. */
const SCOPE_PATTERN = /^[\x21\x23-\x5B\x5D-\x7E]+( [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const FIELDS = ['grant_type', 'client_id', 'username', 'password', 'refresh_token', 'scope'] as const;
type Form = Partial<Record<(typeof FIELDS)[number], string>>;

const REFRESH_FAILURES: Record<RotationFailure, string> = {
  unknown: 'The refresh token is not valid',
  expired: 'The refresh token has expired',
  wrong_client: 'The refresh token was issued to another client',
  reused: 'The refresh token was already used; every token of this login is now revoked',
};

/**
 * `POST /oauth/token` (PROTOCOL §10): the password and refresh_token grants for known public clients.
 * Bad credentials are 401 `invalid_grant` (what the reference IDE expects); everything else follows
 * RFC 6749 with 400. Attempt limits answer 429 before any password is checked.
 */
@Injectable()
export class TokenEndpoint {
  private readonly logger = new Logger(TokenEndpoint.name);

  constructor(
    private readonly users: UsersService,
    private readonly refreshTokens: RefreshTokens,
    private readonly accessTokens: AccessTokens,
    private readonly attempts: LoginAttempts,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async grant(body: unknown, address: string): Promise<TokenResponse> {
    const form = readForm(body);
    if (form.grant_type === undefined) throw new OAuthError(400, 'invalid_request', 'grant_type is required');
    if (form.grant_type !== 'password' && form.grant_type !== 'refresh_token') {
      throw new OAuthError(400, 'unsupported_grant_type', `grant_type ${form.grant_type.slice(0, 40)} is not supported (use password or refresh_token)`);
    }
    const clientId = this.client(form);
    return form.grant_type === 'password' ? this.password(form, clientId, address) : this.refresh(form, clientId, address);
  }

  private client(form: Form): string {
    if (form.client_id === undefined) throw new OAuthError(400, 'invalid_request', 'client_id is required');
    if (!(this.config.auth.login?.clients ?? []).includes(form.client_id)) {
      throw new OAuthError(400, 'invalid_client', 'Unknown client_id');
    }
    return form.client_id;
  }

  private async password(form: Form, clientId: string, address: string): Promise<TokenResponse> {
    if (form.username === undefined || form.password === undefined) {
      throw new OAuthError(400, 'invalid_request', 'username and password are required');
    }
    const scope = form.scope ?? DEFAULT_SCOPE;
    if (scope.length > 500 || !SCOPE_PATTERN.test(scope)) throw new OAuthError(400, 'invalid_scope', 'scope is malformed');
    await this.attempts.take(address, form.username);
    const user = await this.users.authenticate(form.username, form.password);
    if (!user) {
      this.logger.warn(`failed password login from ${address}`);
      throw new OAuthError(401, 'invalid_grant', 'Invalid username or password');
    }
    const refreshToken = await this.refreshTokens.issue(user.id, clientId, scope);
    this.logger.log(`user=${user.id} logged in (client ${clientId})`);
    return this.answer(user, clientId, scope, refreshToken);
  }

  private async refresh(form: Form, clientId: string, address: string): Promise<TokenResponse> {
    if (form.refresh_token === undefined) throw new OAuthError(400, 'invalid_request', 'refresh_token is required');
    await this.attempts.take(address);
    const rotation = await this.refreshTokens.rotate(form.refresh_token, clientId);
    if (typeof rotation === 'string') throw new OAuthError(400, 'invalid_grant', REFRESH_FAILURES[rotation]);
    const user = await this.users.activeById(rotation.userId);
    if (!user) {
      await this.refreshTokens.revokeAllOf(rotation.userId);
      throw new OAuthError(400, 'invalid_grant', 'The user is disabled');
    }
    this.logger.debug(`user=${user.id} refreshed its tokens`);
    return this.answer(user, clientId, rotation.scope, rotation.refreshToken);
  }

  private async answer(user: { id: string; username: string }, clientId: string, scope: string, refreshToken: string): Promise<TokenResponse> {
    return {
      access_token: await this.accessTokens.sign(user, clientId, scope),
      refresh_token: refreshToken,
      token_type: 'bearer',
      expires_in: this.accessTokens.ttlSeconds,
      scope,
    };
  }
}

/** The known fields of the form, each a single string (a repeated or nested parameter is invalid_request). */
function readForm(body: unknown): Form {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new OAuthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded');
  }
  const form: Form = {};
  for (const field of FIELDS) {
    const value: unknown = (body as Record<string, unknown>)[field];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') throw new OAuthError(400, 'invalid_request', `${field} must be given once, as text`);
    form[field] = value;
  }
  return form;
}
