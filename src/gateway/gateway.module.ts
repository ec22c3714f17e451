import { Module } from '@nestjs/common';
import { AgentRuntimeModule } from '../agent-runtime/agent-runtime.module';
import { AgentGateway } from './agent.gateway';
import { MessageStreamController } from './message-stream.controller';
import { TemporaryIds } from './temporary-ids';
import { UpgradeGate } from './upgrade-gate.service';

/** The transports in front of the agent runtime: the IDE WebSocket and the SSE endpoint. */
@Module({
  imports: [AgentRuntimeModule],
  controllers: [MessageStreamController],
  providers: [AgentGateway, TemporaryIds, UpgradeGate],
})
export class GatewayModule {}
