import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { catchError, concat, defer, finalize, from, map, mergeMap, Observable, of, takeWhile } from 'rxjs';
import { AgentActivityService } from '../../agent-runtime/agents/agent-activity.service';
import { ECHO_AGENT_ID, ECHO_COMPLETE, echoOutput, echoWords } from '../../agent-runtime/agents/echo-agent';
import { RemoteAgent } from '../../agent-runtime/agents/remote/remote-agent';
import { RemoteAgentRegistryService } from '../../agent-runtime/agents/remote/remote-agent-registry.service';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { AgentType, isAgentType } from '../../protocol/agent-type';
import type { OwnerScope } from '../../session/owner-scope';
import { RemoteAgentClient } from '../grpc/remote-agent.client';
import { toTaskRequest } from '../grpc/task-message.mapper';
import { AgentTask, failure, TaskChunk, TaskOutcome, taskProblem } from './agent-task';
import { BuiltInTaskEvent, BuiltInTaskRunner } from './built-in-task.runner';

type Target =
  | { readonly kind: 'echo' }
  | { readonly kind: 'built-in'; readonly agent: AgentType }
  | { readonly kind: 'remote'; readonly agent: RemoteAgent }
  | { readonly kind: 'refused'; readonly error: string };

/**
 * Runs agent platform tasks for gRPC and MCP: checks the task, then hands it to the echo agent, one
 * of our agents (see BuiltInTaskRunner) or a registered remote agent. Never throws for a bad task:
 * every problem is an outcome with `success:false`, and nothing is stored for it.
 */
@Injectable()
export class AgentTaskService {
  private readonly logger = new Logger(AgentTaskService.name);

  constructor(
    private readonly builtIn: BuiltInTaskRunner,
    private readonly registry: RemoteAgentRegistryService,
    private readonly remote: RemoteAgentClient,
    private readonly activity: AgentActivityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The task as it runs: an empty task id becomes a fresh UUID. */
  prepare(task: AgentTask): AgentTask {
    return task.taskId === '' ? { ...task, taskId: randomUUID() } : task;
  }

  async execute(task: AgentTask, owner: OwnerScope, signal: AbortSignal): Promise<TaskOutcome> {
    const target = await this.target(task, owner);
    this.logger.debug(`task=${task.taskId} agent=${task.agentId} session=${task.sessionId || '-'} execute (${target.kind})`);
    switch (target.kind) {
      case 'refused':
        return failure(target.error);
      case 'echo':
        return this.counted(ECHO_AGENT_ID, () => Promise.resolve({ success: true, output: echoOutput(task.input, task.parameters), error: '', agent: ECHO_AGENT_ID }));
      case 'remote':
        return this.counted(target.agent.agentId, () => this.executeRemote(task, target.agent, signal));
      case 'built-in':
        return collect(this.builtIn.run(task, target.agent, owner, signal));
    }
  }

  stream(task: AgentTask, owner: OwnerScope, signal: AbortSignal): Observable<TaskChunk> {
    return from(this.target(task, owner)).pipe(
      mergeMap((target) => {
        this.logger.debug(`task=${task.taskId} agent=${task.agentId} session=${task.sessionId || '-'} stream (${target.kind})`);
        switch (target.kind) {
          case 'refused':
            return of(errorChunk(target.error));
          case 'echo':
            return of(...echoWords(task.input).map((w) => ({ content: w, isFinal: false })), { content: ECHO_COMPLETE, isFinal: true });
          case 'remote':
            return this.streamRemote(task, target.agent, signal);
          case 'built-in':
            return this.builtIn.run(task, target.agent, owner, signal).pipe(mergeMap(toChunks));
        }
      }),
    );
  }

  private async target(task: AgentTask, owner: OwnerScope): Promise<Target> {
    const problem = taskProblem(task, this.config.limits.maxMessageChars);
    if (problem) return { kind: 'refused', error: problem };
    if (task.agentId === ECHO_AGENT_ID) return { kind: 'echo' };
    if (isAgentType(task.agentId)) {
      if (task.sessionId !== '' && !(await this.builtIn.mayUse(task.sessionId, owner))) {
        return { kind: 'refused', error: `Session ${task.sessionId} not found` };
      }
      return { kind: 'built-in', agent: task.agentId };
    }
    const remote = await this.registry.find(task.agentId);
    return remote ? { kind: 'remote', agent: remote } : { kind: 'refused', error: `Unknown agent: ${task.agentId}` };
  }

  private async executeRemote(task: AgentTask, agent: RemoteAgent, signal: AbortSignal): Promise<TaskOutcome> {
    try {
      const response = await this.remote.execute(agent.endpoint, toTaskRequest(task), signal);
      return {
        success: response.success,
        output: response.output,
        error: response.error,
        agent: response.metadata['agent'] ?? agent.agentId,
        remoteMetadata: response.metadata,
      };
    } catch (error) {
      return failure(this.remoteFailure(task, agent, error), agent.agentId);
    }
  }

  private streamRemote(task: AgentTask, agent: RemoteAgent, signal: AbortSignal): Observable<TaskChunk> {
    return defer(() => {
      const done = this.activity.begin(agent.agentId);
      let finished = false;
      return concat(
        this.remote.stream(agent.endpoint, toTaskRequest(task), signal).pipe(
          map((c): TaskChunk => {
            finished ||= c.is_final;
            return { content: c.content, isFinal: c.is_final };
          }),
          takeWhile((c) => !c.isFinal, true),
          catchError((error: unknown) => {
            finished = true;
            return of(errorChunk(this.remoteFailure(task, agent, error)));
          }),
        ),
        defer(() => (finished ? [] : [{ content: '', isFinal: true }])),
      ).pipe(finalize(done));
    });
  }

  private remoteFailure(task: AgentTask, agent: RemoteAgent, error: unknown): string {
    const detail = (error as { details?: unknown }).details;
    const text = typeof detail === 'string' && detail ? detail : (error as Error).message;
    this.logger.warn(`task=${task.taskId} session=${task.sessionId || '-'} remote agent ${agent.agentId} at ${agent.endpoint} failed: ${text}`);
    return `Remote agent ${agent.agentId} at ${agent.endpoint} failed: ${text}`;
  }

  private async counted(agent: string, work: () => Promise<TaskOutcome>): Promise<TaskOutcome> {
    const done = this.activity.begin(agent);
    try {
      return await work();
    } finally {
      done();
    }
  }
}

const errorChunk = (error: string): TaskChunk => ({ content: `Error: ${error}`, isFinal: true });

function toChunks(event: BuiltInTaskEvent): TaskChunk[] {
  switch (event.type) {
    case 'agent':
      return [];
    case 'text':
      return [{ content: event.delta, isFinal: false }];
    case 'done':
      return [{ content: '', isFinal: true }];
    case 'failed':
      return [errorChunk(event.error)];
  }
}

function collect(events: Observable<BuiltInTaskEvent>): Promise<TaskOutcome> {
  return new Promise((resolve, reject) => {
    let agent = '';
    events.subscribe({
      next: (event) => {
        if (event.type === 'agent') agent = event.agent;
        else if (event.type === 'done') resolve({ success: true, output: event.output, error: '', agent });
        else if (event.type === 'failed') resolve(failure(event.error, agent));
      },
      error: reject,
      complete: () => resolve(failure('The turn ended without an answer', agent)),
    });
  });
}
