import { Provider } from '@nestjs/common';
import { BufferedSessionEventLog } from '../agent-runtime/events/buffered-session-event-log';
import { InProcessSessionFanout } from '../agent-runtime/events/in-process-session-fanout';
import { SESSION_EVENT_LOG } from '../agent-runtime/events/session-event-log';
import { SESSION_FANOUT } from '../agent-runtime/events/session-fanout';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnections } from '../redis/redis-connections';
import { SessionEventStore } from '../session/session-event-store.service';
import { CANCEL_ROUTER, InProcessCancelRouter } from './cancel-router';
import { ClusterSessionEventLog } from './cluster-session-event-log';
import { RedisCancelRouter } from './redis-cancel-router';
import { RedisSessionFanout } from './redis-session-fanout';
import { RedisSessionLease } from './redis-session-lease';
import { InProcessSessionLease, SESSION_LEASE } from './session-lease';

/**
 * The session stream's shared parts, chosen once at start-up: with REDIS_URL the Redis implementations
 * (several instances, PROTOCOL §8), without it the in-process ones (nothing changes).
 */
export const clusterProviders: Provider[] = [
  BufferedSessionEventLog,
  {
    provide: SESSION_EVENT_LOG,
    inject: [RedisConnections, BufferedSessionEventLog, SessionEventStore],
    useFactory: (redis: RedisConnections, local: BufferedSessionEventLog, store: SessionEventStore) =>
      redis.enabled ? new ClusterSessionEventLog(local, store, redis) : local,
  },
  {
    provide: SESSION_FANOUT,
    inject: [RedisConnections],
    useFactory: (redis: RedisConnections) => (redis.enabled ? new RedisSessionFanout(redis) : new InProcessSessionFanout()),
  },
  {
    provide: SESSION_LEASE,
    inject: [RedisConnections, APP_CONFIG],
    useFactory: (redis: RedisConnections, config: AppConfig) =>
      redis.enabled ? new RedisSessionLease(redis, config.cluster.runLeaseMs) : new InProcessSessionLease(),
  },
  {
    provide: CANCEL_ROUTER,
    inject: [RedisConnections],
    useFactory: (redis: RedisConnections) => (redis.enabled ? new RedisCancelRouter(redis) : new InProcessCancelRouter()),
  },
];
