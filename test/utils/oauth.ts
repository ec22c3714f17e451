import { http, HttpResult } from './http';

export const IDE_CLIENT_ID = 'codelab-flutter-app';

export interface TokenAnswer {
  readonly access_token: string;
  readonly refresh_token: string;
  readonly token_type: string;
  readonly expires_in: number;
  readonly scope: string;
  readonly error?: string;
  readonly error_description?: string;
}

/** `POST /oauth/token` form-encoded, exactly as the reference IDE sends it. */
export function tokenRequest(baseUrl: string, form: Record<string, string>): Promise<HttpResult<TokenAnswer>> {
  return http<TokenAnswer>(baseUrl, 'POST', '/oauth/token', new URLSearchParams(form).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
  });
}

export function passwordGrant(baseUrl: string, username: string, password: string): Promise<HttpResult<TokenAnswer>> {
  return tokenRequest(baseUrl, { grant_type: 'password', username, password, client_id: IDE_CLIENT_ID });
}

export function refreshGrant(baseUrl: string, refreshToken: string): Promise<HttpResult<TokenAnswer>> {
  return tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: IDE_CLIENT_ID });
}
