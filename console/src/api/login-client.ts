import type { Credential } from './credentials';
import { isRecord } from './guards';
import { ApiError, toApiError } from './rest-client';

/** The OAuth client the console logs in as (PROTOCOL §10: a known public client). */
export const CONSOLE_CLIENT_ID = 'codelab-flutter-app';

/** The built-in login is on when the service publishes its token keys (`GET /.well-known/jwks.json`). */
export async function isLoginEnabled(): Promise<boolean> {
  try {
    const response = await fetch('/.well-known/jwks.json', { headers: { Accept: 'application/json' } });
    return response.ok;
  } catch {
    return false;
  }
}

export interface IssuedToken {
  readonly credential: Credential;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
}

export function passwordLogin(username: string, password: string): Promise<IssuedToken> {
  return requestToken({ grant_type: 'password', username, password, client_id: CONSOLE_CLIENT_ID });
}

export function refreshLogin(refreshToken: string): Promise<IssuedToken> {
  return requestToken({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CONSOLE_CLIENT_ID });
}

async function requestToken(fields: Record<string, string>): Promise<IssuedToken> {
  let response: Response;
  try {
    response = await fetch('/oauth/token', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      body: new URLSearchParams(fields).toString(),
    });
  } catch {
    throw new ApiError(0, 'The service cannot be reached');
  }
  if (response.status === 401 || (response.status === 400 && fields['grant_type'] === 'password')) {
    throw new ApiError(response.status, 'Wrong user name or password');
  }
  if (!response.ok) throw await toApiError(response);
  const body: unknown = await response.json();
  if (!isRecord(body) || typeof body['access_token'] !== 'string') throw new ApiError(response.status, 'The login answer has no access token');
  const refreshToken = typeof body['refresh_token'] === 'string' ? body['refresh_token'] : undefined;
  return {
    credential: { kind: 'token', token: body['access_token'], ...(refreshToken ? { refreshToken } : {}) },
    expiresIn: typeof body['expires_in'] === 'number' ? body['expires_in'] : 900,
  };
}
