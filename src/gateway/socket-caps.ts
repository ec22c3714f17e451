import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';

/** Gives a socket slot back; calling it again does nothing. */
export type SocketSlotRelease = () => void;

/**
 * MAX_SOCKETS_PER_USER: how many sockets a user has open. `acquire` takes a slot (null when the user is
 * at the cap); the returned function gives it back when the socket is gone.
 */
export abstract class SocketCaps {
  abstract acquire(userId: string): Promise<SocketSlotRelease | null>;
}

/** Open sockets of this process by user: the single-instance cap, and the local part of the shared one. */
export class LocalSocketCounts {
  private readonly counts = new Map<string, number>();

  get(userId: string): number {
    return this.counts.get(userId) ?? 0;
  }

  users(): IterableIterator<[string, number]> {
    return this.counts.entries();
  }

  add(userId: string, delta: 1 | -1): number {
    const next = this.get(userId) + delta;
    if (next <= 0) this.counts.delete(userId);
    else this.counts.set(userId, next);
    return Math.max(0, next);
  }
}

/** Without REDIS_URL: the cap counts this process's sockets. */
@Injectable()
export class InProcessSocketCaps extends SocketCaps {
  private readonly open = new LocalSocketCounts();
  private readonly cap: number;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    super();
    this.cap = config.limits.socketsPerUser;
  }

  acquire(userId: string): Promise<SocketSlotRelease | null> {
    if (this.open.get(userId) >= this.cap) return Promise.resolve(null);
    this.open.add(userId, 1);
    return Promise.resolve(once(() => this.open.add(userId, -1)));
  }
}

export function once(action: () => void): SocketSlotRelease {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    action();
  };
}
