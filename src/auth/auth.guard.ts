import { CanActivate, ExecutionContext, HttpException, HttpStatus, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Response } from 'express';
import { currentLogContext } from '../common/logging/log-context';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AuthService } from './auth.service';
import type { AuthenticatedRequest } from './current-principal.decorator';
import { AuthenticationError } from './principal';
import { IS_PUBLIC } from './public.decorator';
import { RateLimit, RateLimiters, retrySeconds } from './rate-limiter';

/**
 * Every REST route except @Public() ones: authenticate (401 with WWW-Authenticate), then apply the
 * per-user rate limit (429 with Retry-After).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly limiter: RateLimit;

  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
    limiters: RateLimiters,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.limiter = limiters.perMinute('rest', config.limits.restPerMinute);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    try {
      request.principal = await this.auth.authenticate({
        authorization: request.header('authorization'),
        apiKey: request.header('x-api-key'),
      });
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      response.setHeader('WWW-Authenticate', 'Bearer');
      throw new UnauthorizedException(error.message);
    }
    const logContext = currentLogContext();
    if (logContext && request.principal.via !== 'none') logContext.userId = request.principal.userId;
    const key = request.principal.via === 'none' ? `ip:${request.ip ?? '?'}` : `user:${request.principal.userId}`;
    const waitMs = await this.limiter.take(key);
    if (waitMs > 0) {
      const seconds = retrySeconds(waitMs);
      response.setHeader('Retry-After', String(seconds));
      throw new HttpException(`Rate limit exceeded: retry in ${seconds} s`, HttpStatus.TOO_MANY_REQUESTS);
    }
    return true;
  }
}
