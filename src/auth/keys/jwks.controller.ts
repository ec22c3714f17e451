import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { JWK } from 'jose';
import { Public } from '../public.decorator';
import { SigningKeys } from './signing-keys.service';

/** `GET /.well-known/jwks.json`: the public keys that verify our access tokens (registered with AUTH_LOGIN_ENABLED). */
@ApiTags('login')
@Public()
@Controller('.well-known')
export class JwksController {
  constructor(private readonly keys: SigningKeys) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({ summary: 'Public keys (RS256, with kid) of the built-in token issuer' })
  @ApiOkResponse({ description: '`{"keys":[{"kty":"RSA","kid","alg":"RS256","use":"sig","n","e"}]}`' })
  jwks(): Promise<{ keys: JWK[] }> {
    return this.keys.jwks();
  }
}
