import { Metadata } from '@grpc/grpc-js';
import { Controller, Logger } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { from, map, mergeMap, Observable } from 'rxjs';
import { RemoteAgentRegistryService } from '../../agent-runtime/agents/remote/remote-agent-registry.service';
import { AgentActivityService } from '../../agent-runtime/agents/agent-activity.service';
import { scopeOf } from '../../auth/principal';
import { DomainError } from '../../common/domain.error';
import { AgentTaskService } from '../task/agent-task.service';
import { AgentDirectoryService, matchesFilter, toRemoteAgent } from '../agent-directory.service';
import {
  AgentInfoMessage,
  ListAgentsRequestMessage,
  ListAgentsResponseMessage,
  RegistrationResponseMessage,
  StatusRequestMessage,
  StatusResponseMessage,
  TaskChunkMessage,
  TaskRequestMessage,
  TaskResponseMessage,
} from './agent-platform.messages';
import { GrpcAuthService } from './grpc-auth.service';
import { fromTaskRequest, toTaskChunk, toTaskResponse } from './task-message.mapper';

/** The part of a grpc-js server call the handlers use: it reports the client cancelling or its deadline passing. */
interface CancellableCall {
  readonly cancelled: boolean;
  on(event: 'cancelled', listener: () => void): unknown;
}

/** PROTOCOL §6: the agent platform's AgentService on GRPC_PORT. Thin: tasks run in AgentTaskService. */
@Controller()
export class AgentServiceGrpcController {
  private readonly logger = new Logger(AgentServiceGrpcController.name);
  private readonly startedAt = Date.now();

  constructor(
    private readonly auth: GrpcAuthService,
    private readonly tasks: AgentTaskService,
    private readonly registry: RemoteAgentRegistryService,
    private readonly activity: AgentActivityService,
    private readonly directory: AgentDirectoryService,
  ) {}

  @GrpcMethod('AgentService', 'ExecuteTask')
  async executeTask(request: TaskRequestMessage, metadata: Metadata, call: CancellableCall): Promise<TaskResponseMessage> {
    const owner = scopeOf(await this.auth.principal(metadata));
    const task = this.tasks.prepare(fromTaskRequest(request));
    const outcome = await this.tasks.execute(task, owner, abortOnCancel(call));
    return toTaskResponse(task, outcome, new Date());
  }

  @GrpcMethod('AgentService', 'StreamTask')
  streamTask(request: TaskRequestMessage, metadata: Metadata, call: CancellableCall): Observable<TaskChunkMessage> {
    const task = this.tasks.prepare(fromTaskRequest(request));
    const signal = abortOnCancel(call);
    return from(this.auth.principal(metadata)).pipe(
      mergeMap((principal) => this.tasks.stream(task, scopeOf(principal), signal)),
      map((chunk) => toTaskChunk(task, chunk)),
    );
  }

  @GrpcMethod('AgentService', 'GetStatus')
  async getStatus(request: StatusRequestMessage, metadata: Metadata): Promise<StatusResponseMessage> {
    await this.auth.principal(metadata);
    const known = (await this.directory.list()).some((a) => a.agent_id === request.agent_id);
    return {
      agent_id: request.agent_id,
      status: known ? 'healthy' : 'unknown agent',
      active_tasks: known ? this.activity.running(request.agent_id) : 0,
      uptime_seconds: Math.floor((Date.now() - this.startedAt) / 1000),
    };
  }

  @GrpcMethod('AgentService', 'ListAgents')
  async listAgents(request: ListAgentsRequestMessage, metadata: Metadata): Promise<ListAgentsResponseMessage> {
    await this.auth.principal(metadata);
    return { agents: (await this.directory.list()).filter((a) => matchesFilter(a, request.filter)) };
  }

  @GrpcMethod('AgentService', 'RegisterAgent')
  async registerAgent(request: AgentInfoMessage, metadata: Metadata): Promise<RegistrationResponseMessage> {
    const principal = await this.auth.principal(metadata);
    const agent = toRemoteAgent(request);
    try {
      const created = await this.registry.register(agent, principal.via === 'none' ? null : principal.userId);
      return { success: true, message: `Agent ${agent.agentId} ${created ? 'registered' : 'updated'} at ${agent.endpoint}`, service_id: agent.agentId };
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.logger.warn(`RegisterAgent refused for ${agent.agentId || '(empty id)'}: ${error.message}`);
      return { success: false, message: error.message, service_id: '' };
    }
  }
}

/** A signal that fires when the client cancels the call or its deadline passes. */
function abortOnCancel(call: CancellableCall): AbortSignal {
  const controller = new AbortController();
  if (call.cancelled) controller.abort('cancelled');
  else call.on('cancelled', () => controller.abort('cancelled'));
  return controller.signal;
}
