// Placeholder with exactly the API of /work/notes/redis-seam.md so that the cluster code compiles until
// helper B1's RedisConnections lands on main; B1's file replaces this one at the merge.
import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import type { RedisClientType } from 'redis';

@Injectable()
export class RedisConnections implements OnApplicationShutdown {
  get enabled(): boolean {
    return false;
  }

  client(): RedisClientType {
    throw new Error('REDIS_URL is not set');
  }

  duplicate(purpose: string): Promise<RedisClientType> {
    return Promise.reject(new Error(`REDIS_URL is not set (${purpose})`));
  }

  key(...parts: string[]): string {
    return ['codelab', ...parts].join(':');
  }

  onApplicationShutdown(): void {}
}
