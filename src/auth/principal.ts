import type { OwnerScope } from '../session/owner-scope';

/** Who is calling. With authentication off everyone is the same anonymous local user. */
export interface Principal {
  readonly userId: string;
  /** `session_capability`: a header-less socket admitted by a server-made session id (AUTH_WS_SESSION_CAPABILITY). */
  readonly via: 'jwt' | 'api_key' | 'session_capability' | 'none';
}

export const ANONYMOUS: Principal = { userId: 'local', via: 'none' };

/** The sessions this principal may see: its own, or all of them when authentication is off. */
export function scopeOf(principal: Principal): OwnerScope {
  return principal.via === 'none' ? null : principal.userId;
}

/** Where a credential can come from: headers (REST and WebSocket upgrade) or `?access_token=` (browsers). */
export interface Credentials {
  readonly authorization?: string;
  readonly apiKey?: string;
  readonly accessToken?: string;
}

/** Whether the request carries any credential at all (a wrong one still counts). */
export function hasCredentials(credentials: Credentials): boolean {
  return Boolean(credentials.authorization || credentials.apiKey || credentials.accessToken);
}

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}
