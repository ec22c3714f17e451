import { Module } from '@nestjs/common';
import { AgentRuntimeModule } from '../agent-runtime/agent-runtime.module';
import { SessionModule } from '../session/session.module';
import { AgentDirectoryService } from './agent-directory.service';
import { AgentServiceGrpcController } from './grpc/agent-service.grpc-controller';
import { GrpcAuthService } from './grpc/grpc-auth.service';
import { RemoteAgentClient } from './grpc/remote-agent.client';
import { McpServerFactory } from './mcp/mcp-server.factory';
import { McpController } from './mcp/mcp.controller';
import { AgentTaskService } from './task/agent-task.service';
import { BuiltInTaskRunner } from './task/built-in-task.runner';

/**
 * The agent platform's interfaces (PROTOCOL §6–§7): the gRPC AgentService and the MCP server. Both
 * run tasks through AgentTaskService, which uses the runtime only through its public services.
 */
@Module({
  imports: [AgentRuntimeModule, SessionModule],
  controllers: [AgentServiceGrpcController, McpController],
  providers: [AgentDirectoryService, GrpcAuthService, RemoteAgentClient, BuiltInTaskRunner, AgentTaskService, McpServerFactory],
})
export class PlatformModule {}
