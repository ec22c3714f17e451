import { Module } from '@nestjs/common';
import { AgentRuntimeModule } from '../agent-runtime/agent-runtime.module';
import { AgentServiceGrpcController } from './grpc/agent-service.grpc-controller';
import { GrpcAuthService } from './grpc/grpc-auth.service';
import { RemoteAgentClient } from './grpc/remote-agent.client';
import { AgentTaskService } from './task/agent-task.service';
import { BuiltInTaskRunner } from './task/built-in-task.runner';

/**
 * The agent platform's interfaces (PROTOCOL §6–§7): the gRPC AgentService and the MCP server. Both
 * run tasks through AgentTaskService, which uses the runtime only through its public services.
 */
@Module({
  imports: [AgentRuntimeModule],
  controllers: [AgentServiceGrpcController],
  providers: [GrpcAuthService, RemoteAgentClient, BuiltInTaskRunner, AgentTaskService],
})
export class PlatformModule {}
