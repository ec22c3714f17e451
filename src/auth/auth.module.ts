import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { AUTH_ENTITIES } from './entities';
import { JwksController } from './keys/jwks.controller';
import { SigningKeys } from './keys/signing-keys.service';
import { AccessTokens } from './login/access-tokens.service';
import { LoginAttempts } from './login/login-attempts';
import { OAuthTokenController } from './login/oauth-token.controller';
import { RefreshTokens } from './login/refresh-tokens.service';
import { RateLimiters } from './rate-limiter';
import { TokenEndpoint } from './login/token-endpoint.service';
import { UsersService } from './login/users.service';

/**
 * Authentication for REST (a global guard) and for WebSocket upgrades (AuthService, used by the
 * gateway), and the built-in login: `/oauth/token` and `/.well-known/jwks.json` exist only with
 * AUTH_LOGIN_ENABLED=true. Tokens it issues are verified by the same AuthService as every other JWT.
 */
@Global()
@Module({})
export class AuthModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [TypeOrmModule.forFeature(AUTH_ENTITIES)],
      controllers: config.auth.login === null ? [] : [OAuthTokenController, JwksController],
      providers: [
        AuthService,
        { provide: APP_GUARD, useClass: AuthGuard },
        SigningKeys,
        AccessTokens,
        RefreshTokens,
        UsersService,
        LoginAttempts,
        TokenEndpoint,
        RateLimiters,
      ],
      exports: [AuthService, UsersService, RateLimiters],
    };
  }
}
