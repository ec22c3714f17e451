import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { SessionEntity } from './entities/session.entity';
import { ownedBy, OwnerScope } from './owner-scope';

/** Other instances' creations and deletions show up in `total` within this time. */
const MAX_AGE_MS = 2_000;

/**
 * `total` of the session list. Counting is linear in the number of sessions (5 ms at 100,000 on
 * SQLite), so the count is cached per owner and forgotten whenever this process creates or deletes
 * sessions; another instance's changes are seen within two seconds.
 */
@Injectable()
export class SessionTotals {
  private readonly cache = new Map<string, { value: number; at: number }>();
  /** Bumped by `forget`: a count that was started before it may be stale and is not cached. */
  private generation = 0;

  constructor(@InjectRepository(SessionEntity) private readonly sessions: Repository<SessionEntity>) {}

  async of(scope: OwnerScope): Promise<number> {
    const key = scope ?? '\u0000all';
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < MAX_AGE_MS) return cached.value;
    const generation = this.generation;
    const value = await this.sessions.countBy(ownedBy(scope));
    if (generation === this.generation) this.cache.set(key, { value, at: Date.now() });
    return value;
  }

  /** Sessions were created or deleted: every cached count may be wrong now. */
  forget(): void {
    this.generation += 1;
    this.cache.clear();
  }
}
