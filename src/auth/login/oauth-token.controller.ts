import { Controller, Header, HttpCode, Post, Req, UseFilters } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../public.decorator';
import { OAuthError } from './oauth.error';
import { OAuthExceptionFilter } from './oauth-exception.filter';
import { TokenEndpoint, TokenResponse } from './token-endpoint.service';

/** `POST /oauth/token` of the built-in login (registered with AUTH_LOGIN_ENABLED=true). */
@ApiTags('login')
@Public()
@UseFilters(OAuthExceptionFilter)
@Controller('oauth')
export class OAuthTokenController {
  constructor(private readonly endpoint: TokenEndpoint) {}

  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiOperation({ summary: 'OAuth 2.0 token endpoint: password and refresh_token grants (RFC 6749)' })
  @ApiConsumes('application/x-www-form-urlencoded')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['grant_type', 'client_id'],
      properties: {
        grant_type: { type: 'string', enum: ['password', 'refresh_token'] },
        client_id: { type: 'string', example: 'codelab-flutter-app' },
        username: { type: 'string' },
        password: { type: 'string', format: 'password' },
        refresh_token: { type: 'string' },
        scope: { type: 'string' },
      },
    },
  })
  @ApiOkResponse({ description: '`{"access_token","refresh_token","token_type":"bearer","expires_in","scope"}`' })
  token(@Req() request: Request): Promise<TokenResponse> {
    if (!request.is('application/x-www-form-urlencoded')) {
      throw new OAuthError(400, 'invalid_request', 'The request body must be application/x-www-form-urlencoded');
    }
    return this.endpoint.grant(request.body as unknown, request.ip ?? 'unknown');
  }
}
