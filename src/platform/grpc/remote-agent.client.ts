import { credentials, Client, Metadata, ServiceError } from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Observable } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { agentPlatformDefinition, AGENT_SERVICE } from './agent-platform.proto';
import { TaskChunkMessage, TaskRequestMessage, TaskResponseMessage } from './agent-platform.messages';

type Method = MethodDefinition<TaskRequestMessage, TaskResponseMessage | TaskChunkMessage>;

/**
 * Forwards tasks to the AgentService of a registered remote agent, every field as received
 * (session_id included). One channel per endpoint. Our caller cancelling cancels the forwarded call;
 * a call never outlives LLM_TIMEOUT_MS.
 */
@Injectable()
export class RemoteAgentClient implements OnApplicationShutdown {
  private readonly clients = new Map<string, Client>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  execute(endpoint: string, request: TaskRequestMessage, signal: AbortSignal): Promise<TaskResponseMessage> {
    const method = this.method('ExecuteTask');
    return new Promise((resolve, reject) => {
      const call = this.client(endpoint).makeUnaryRequest(
        method.path,
        method.requestSerialize,
        (bytes: Buffer) => method.responseDeserialize(bytes) as TaskResponseMessage,
        request,
        new Metadata(),
        { deadline: this.deadline() },
        (error: ServiceError | null, response?: TaskResponseMessage) => {
          signal.removeEventListener('abort', cancel);
          if (error || !response) reject(error ?? new Error('empty answer'));
          else resolve(response);
        },
      );
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
    });
  }

  stream(endpoint: string, request: TaskRequestMessage, signal: AbortSignal): Observable<TaskChunkMessage> {
    const method = this.method('StreamTask');
    return new Observable<TaskChunkMessage>((subscriber) => {
      const call = this.client(endpoint).makeServerStreamRequest(
        method.path,
        method.requestSerialize,
        (bytes: Buffer) => method.responseDeserialize(bytes) as TaskChunkMessage,
        request,
        new Metadata(),
        { deadline: this.deadline() },
      );
      const cancel = (): void => call.cancel();
      signal.addEventListener('abort', cancel, { once: true });
      call.on('data', (chunk: TaskChunkMessage) => subscriber.next(chunk));
      call.on('error', (error: Error) => subscriber.error(error));
      call.on('end', () => subscriber.complete());
      return () => {
        signal.removeEventListener('abort', cancel);
        call.cancel();
      };
    });
  }

  onApplicationShutdown(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  private client(endpoint: string): Client {
    let client = this.clients.get(endpoint);
    if (!client) {
      client = new Client(endpoint, credentials.createInsecure());
      this.clients.set(endpoint, client);
    }
    return client;
  }

  private method(name: 'ExecuteTask' | 'StreamTask'): Method {
    const service = agentPlatformDefinition()[AGENT_SERVICE] as Record<string, Method>;
    const method = service[name];
    if (!method) throw new Error(`${AGENT_SERVICE}.${name} is missing from the proto`);
    return method;
  }

  private deadline(): Date {
    return new Date(Date.now() + this.config.llm.timeoutMs);
  }
}
