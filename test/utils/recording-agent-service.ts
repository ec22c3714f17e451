import { Server, ServerCredentials, ServerUnaryCall, ServerWritableStream, sendUnaryData, loadPackageDefinition, GrpcObject, ServiceClientConstructor } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { AGENT_PLATFORM_PROTO, PROTO_LOADER_OPTIONS } from '../../src/platform/grpc/agent-platform.proto';
import type { TaskChunkMessage, TaskRequestMessage, TaskResponseMessage } from '../../src/platform/grpc/agent-platform.messages';

/**
 * Another AgentService (plain grpc-js on 127.0.0.1, a free port) that records every task it gets and
 * answers `remote: <input>`; streamed as `remote `, `<input>`, then an empty final chunk.
 */
export class RecordingAgentService {
  readonly requests: TaskRequestMessage[] = [];

  private constructor(
    private readonly server: Server,
    readonly address: string,
  ) {}

  static async start(): Promise<RecordingAgentService> {
    const server = new Server();
    const proto = loadPackageDefinition(loadSync(AGENT_PLATFORM_PROTO, PROTO_LOADER_OPTIONS));
    const service = ((proto['agentplatform'] as GrpcObject)['AgentService'] as ServiceClientConstructor).service;
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
    );
    const recorder = new RecordingAgentService(server, `127.0.0.1:${port}`);
    server.addService(service, {
      ExecuteTask: (call: ServerUnaryCall<TaskRequestMessage, TaskResponseMessage>, done: sendUnaryData<TaskResponseMessage>) => {
        recorder.requests.push(call.request);
        const r = call.request;
        done(null, { task_id: r.task_id, output: `remote: ${r.input}`, success: true, error: '', metadata: { agent: 'remote-impl', region: 'test' }, session_id: r.session_id });
      },
      StreamTask: (call: ServerWritableStream<TaskRequestMessage, TaskChunkMessage>) => {
        recorder.requests.push(call.request);
        const r = call.request;
        for (const content of ['remote ', r.input]) call.write({ task_id: r.task_id, content, is_final: false, session_id: r.session_id });
        call.write({ task_id: r.task_id, content: '', is_final: true, session_id: r.session_id });
        call.end();
      },
    });
    return recorder;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.tryShutdown(() => resolve()));
  }
}
