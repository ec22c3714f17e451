import { Injectable } from '@nestjs/common';
import { RedisConnections } from '../redis/redis-connections';
import type { OwnerScope } from '../session/owner-scope';
import { TEMPORARY_ID_TTL_MS, temporaryIdKey, TemporaryIds } from './temporary-ids';

/**
 * With REDIS_URL: `codelab:tempid:<owner>:<id>` → session id (SET NX, expiring after 10 minutes) and
 * `codelab:tempid-session:<session id>` → that key, so that a deletion on any instance forgets it.
 */
@Injectable()
export class RedisTemporaryIds extends TemporaryIds {
  constructor(private readonly redis: RedisConnections) {
    super();
  }

  async claim(temporaryId: string, owner: OwnerScope, proposedSessionId: string): Promise<string> {
    const client = this.redis.client();
    const key = this.idKey(temporaryId, owner);
    // SET NX decides; if another claim won, read its session. Retried in case that entry expired in between.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const won = await client.set(key, proposedSessionId, { condition: 'NX', expiration: { type: 'PX', value: TEMPORARY_ID_TTL_MS } });
      if (won === 'OK') {
        await client.set(this.sessionKey(proposedSessionId), key, { expiration: { type: 'PX', value: TEMPORARY_ID_TTL_MS } });
        return proposedSessionId;
      }
      const existing = await client.get(key);
      if (existing !== null) return existing;
    }
    throw new Error('could not claim a temporary id (its entry kept changing)');
  }

  async resolve(temporaryId: string, owner: OwnerScope): Promise<string | undefined> {
    return (await this.redis.client().get(this.idKey(temporaryId, owner))) ?? undefined;
  }

  async forgetSession(sessionId: string): Promise<void> {
    const client = this.redis.client();
    const key = await client.get(this.sessionKey(sessionId));
    if (key === null) return;
    // Only if it still leads to this session: a later claim of the same temporary id is not ours to drop.
    // (A claim that lands between this GET and the DEL would be dropped too: it can only follow an
    // expiry at that very moment, and costs that client a second session, never another user's.)
    const current = await client.get(key);
    await client.del(current === sessionId ? [this.sessionKey(sessionId), key] : [this.sessionKey(sessionId)]);
  }

  private idKey(temporaryId: string, owner: OwnerScope): string {
    return this.redis.key('tempid', temporaryIdKey(temporaryId, owner));
  }

  private sessionKey(sessionId: string): string {
    return this.redis.key('tempid-session', sessionId);
  }
}
