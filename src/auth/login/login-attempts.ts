import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { RateLimit, RateLimiters, retrySeconds } from '../rate-limiter';
import { OAuthError } from './oauth.error';

/**
 * Attempt limits of the token endpoint, on the service's {@link RateLimiters}: every password grant counts
 * one attempt of its user name and one of its client address, every refresh grant one of the address.
 * Beyond either limit it answers 429 with Retry-After.
 */
@Injectable()
export class LoginAttempts {
  private readonly perUser: RateLimit;
  private readonly perAddress: RateLimit;

  constructor(limiters: RateLimiters, @Inject(APP_CONFIG) config: AppConfig) {
    this.perUser = limiters.perMinute('login-user', config.auth.login?.attemptsPerMinutePerUser ?? 1);
    this.perAddress = limiters.perMinute('login-address', config.auth.login?.attemptsPerMinutePerAddress ?? 1);
  }

  /** Throws a 429 OAuthError when the address (or, given one, the user name) tried too often. */
  async take(address: string, username?: string): Promise<void> {
    const waits = [this.perAddress.take(`address:${address}`)];
    if (username !== undefined) waits.push(this.perUser.take(`user:${username.toLowerCase()}`));
    const waitMs = Math.max(...(await Promise.all(waits)));
    if (waitMs > 0) {
      const seconds = retrySeconds(waitMs);
      throw new OAuthError(429, 'rate_limit_exceeded', `Too many login attempts; retry in ${seconds} s`, seconds);
    }
  }
}
