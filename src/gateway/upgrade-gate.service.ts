import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AgentRuntimeService } from '../agent-runtime/agent-runtime.service';
import { AuthService } from '../auth/auth.service';
import { AuthenticationError, Credentials, hasCredentials, Principal, scopeOf } from '../auth/principal';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { SocketCaps } from './socket-caps';
import { TemporaryIds } from './temporary-ids';
import { parseWsTarget, WsTarget } from './ws-target';

/** What an admitted upgrade carries into the gateway. */
export interface UpgradeContext {
  readonly target: WsTarget;
  readonly principal: Principal;
  /** The session a temporary id already created (reconnect within 10 minutes). */
  readonly resumedSessionId: string | undefined;
  /** Gives the socket slot back when the socket is gone. */
  readonly release: () => void;
}

export type Admission =
  | { readonly ok: true; readonly context: UpgradeContext }
  | { readonly ok: false; readonly status: 400 | 401 | 404 | 429 | 503; readonly message: string };

/**
 * Decides on every WebSocket upgrade before a socket exists: path and id (404/400), credentials (401),
 * the per-user socket cap (429), and ownership (another user's session is 404, like on REST).
 */
@Injectable()
export class UpgradeGate {
  private readonly logger = new Logger(UpgradeGate.name);

  constructor(
    private readonly auth: AuthService,
    private readonly runtime: AgentRuntimeService,
    private readonly temporaryIds: TemporaryIds,
    private readonly socketCaps: SocketCaps,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async admit(request: IncomingMessage): Promise<Admission> {
    if (this.runtime.draining) return { ok: false, status: 503, message: 'The service is shutting down' };
    const parsed = parseWsTarget(request.url);
    if (!parsed.ok) return parsed;
    const { target, query } = parsed;
    // Browsers cannot set headers on a WebSocket: they send the token or key in the query string.
    const credentials: Credentials = {
      authorization: header(request, 'authorization'),
      apiKey: header(request, 'x-api-key') ?? query.get('api_key') ?? undefined,
      accessToken: query.get('access_token') ?? undefined,
    };
    let principal: Principal;
    try {
      principal = await this.auth.authenticate(credentials);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      const owner = hasCredentials(credentials) ? null : await this.capabilityOwner(target);
      if (owner === null) return { ok: false, status: 401, message: error.message };
      principal = { userId: owner, via: 'session_capability' };
    }
    const scope = scopeOf(principal);
    let resumedSessionId: string | undefined;
    // Only an owner scope can be refused another's session: without one (authentication off) every
    // session is visible, and the upgrade asks the database nothing.
    if (target.temporary) {
      resumedSessionId = await this.temporaryIds.resolve(target.requestedId, scope);
    } else if (scope !== null && (await this.runtime.access(target.requestedId, scope)) === 'foreign') {
      this.logger.warn(`user=${principal.userId} was refused another user's session`);
      return { ok: false, status: 404, message: 'Not Found' };
    }
    const release = await this.socketCaps.acquire(principal.userId);
    if (release === null) {
      return { ok: false, status: 429, message: `Too many open sockets (at most ${this.config.limits.socketsPerUser} per user)` };
    }
    return { ok: true, context: { target, principal, resumedSessionId, release } };
  }

  /**
   * AUTH_WS_SESSION_CAPABILITY: a socket without credentials may open an existing session whose id the
   * server made for an authenticated owner, acting as that owner; never a temporary or client-chosen id.
   */
  private async capabilityOwner(target: WsTarget): Promise<string | null> {
    if (!this.config.auth.wsSessionCapability || target.temporary) return null;
    return this.runtime.capabilityOwner(target.requestedId);
  }
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
