import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { RateLimiter } from '../rate-limiter';
import { OAuthError } from './oauth.error';

/**
 * Attempt limits of the token endpoint, on the project's RateLimiter: every password grant costs one
 * token of its user name's bucket and of its client address's bucket, every refresh grant one of the
 * address's. An empty bucket answers 429 with Retry-After.
 */
@Injectable()
export class LoginAttempts {
  private readonly perUser: RateLimiter;
  private readonly perAddress: RateLimiter;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.perUser = new RateLimiter(config.auth.login?.attemptsPerMinutePerUser ?? 1);
    this.perAddress = new RateLimiter(config.auth.login?.attemptsPerMinutePerAddress ?? 1);
  }

  /** Throws a 429 OAuthError when the address (or, given one, the user name) tried too often. */
  take(address: string, username?: string): void {
    const waits = [this.perAddress.take(`address:${address}`)];
    if (username !== undefined) waits.push(this.perUser.take(`user:${username.toLowerCase()}`));
    const waitMs = Math.max(...waits);
    if (waitMs > 0) {
      const seconds = Math.max(1, Math.ceil(waitMs / 1000));
      throw new OAuthError(429, 'rate_limit_exceeded', `Too many login attempts; retry in ${seconds} s`, seconds);
    }
  }
}
