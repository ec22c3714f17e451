import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { RedisConnections } from '../redis/redis-connections';
import { SessionDeletions } from '../session/session-deletions';
import { SessionModule } from '../session/session.module';
import { AgentRuntimeModule } from '../agent-runtime/agent-runtime.module';
import { AgentGateway } from './agent.gateway';
import { MessageStreamController } from './message-stream.controller';
import { RedisSocketCaps } from './redis-socket-caps';
import { InProcessSocketCaps, SocketCaps } from './socket-caps';
import { RedisTemporaryIds } from './redis-temporary-ids';
import { forgettingDeleted, InProcessTemporaryIds, TemporaryIds } from './temporary-ids';
import { UpgradeGate } from './upgrade-gate.service';

/**
 * The transports in front of the agent runtime: the IDE WebSocket and the SSE endpoint. State that
 * several instances share (socket caps, temporary ids) is in Redis with REDIS_URL, in the process otherwise.
 */
@Module({
  imports: [AgentRuntimeModule, SessionModule],
  controllers: [MessageStreamController],
  providers: [
    AgentGateway,
    UpgradeGate,
    {
      provide: TemporaryIds,
      inject: [RedisConnections, SessionDeletions],
      useFactory: (redis: RedisConnections, deletions: SessionDeletions): TemporaryIds =>
        forgettingDeleted(redis.enabled ? new RedisTemporaryIds(redis) : new InProcessTemporaryIds(), deletions),
    },
    {
      provide: SocketCaps,
      inject: [RedisConnections, APP_CONFIG],
      useFactory: (redis: RedisConnections, config: AppConfig): SocketCaps =>
        redis.enabled ? new RedisSocketCaps(redis, config) : new InProcessSocketCaps(config),
    },
  ],
})
export class GatewayModule {}
