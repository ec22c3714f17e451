import { ChannelCredentials, ClientReadableStream, credentials, loadPackageDefinition, Metadata, ServiceClientConstructor, ServiceError } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { AGENT_PLATFORM_PROTO, PROTO_LOADER_OPTIONS } from '../../src/platform/grpc/agent-platform.proto';
import type {
  AgentInfoMessage,
  ListAgentsResponseMessage,
  RegistrationResponseMessage,
  StatusResponseMessage,
  TaskChunkMessage,
  TaskResponseMessage,
} from '../../src/platform/grpc/agent-platform.messages';

export type TaskRequestInput = Partial<{
  task_id: string;
  agent_id: string;
  input: string;
  parameters: Record<string, string>;
  tool_ids: string[];
  session_id: string;
}>;

export interface CallOptions {
  /** Metadata, e.g. `{ authorization: 'Bearer …' }` or `{ 'x-api-key': '…' }`; an array sends the key several times. */
  readonly metadata?: Record<string, string | string[]>;
  readonly deadlineMs?: number;
}

type Callback<T> = (error: ServiceError | null, value?: T) => void;
interface RawClient {
  ExecuteTask(req: TaskRequestInput, md: Metadata, opts: object, cb: Callback<TaskResponseMessage>): unknown;
  StreamTask(req: TaskRequestInput, md: Metadata, opts: object): ClientReadableStream<TaskChunkMessage>;
  GetStatus(req: { agent_id: string }, md: Metadata, opts: object, cb: Callback<StatusResponseMessage>): unknown;
  RegisterAgent(req: Partial<AgentInfoMessage>, md: Metadata, opts: object, cb: Callback<RegistrationResponseMessage>): unknown;
  ListAgents(req: { filter?: string }, md: Metadata, opts: object, cb: Callback<ListAgentsResponseMessage>): unknown;
  close(): void;
}

/**
 * A real @grpc/grpc-js client of `proto/agent_platform.proto` (loaded from the file, as any platform
 * client would), with promise helpers. Failed calls reject with the grpc-js ServiceError.
 */
export class AgentServiceTestClient {
  private readonly raw: RawClient;

  constructor(address: string, creds: ChannelCredentials = credentials.createInsecure()) {
    const proto = loadPackageDefinition(loadSync(AGENT_PLATFORM_PROTO, PROTO_LOADER_OPTIONS));
    const ctor = (proto['agentplatform'] as Record<string, unknown>)['AgentService'] as ServiceClientConstructor;
    this.raw = new ctor(address, creds) as unknown as RawClient;
  }

  execute(request: TaskRequestInput, options: CallOptions = {}): Promise<TaskResponseMessage> {
    return this.unary((md, opts, cb) => this.raw.ExecuteTask(request, md, opts, cb), options);
  }

  /** Starts StreamTask; read it with {@link collect} or listen to `data` yourself. */
  stream(request: TaskRequestInput, options: CallOptions = {}): ClientReadableStream<TaskChunkMessage> {
    return this.raw.StreamTask(request, metadataOf(options), callOptions(options));
  }

  status(agentId: string, options: CallOptions = {}): Promise<StatusResponseMessage> {
    return this.unary((md, opts, cb) => this.raw.GetStatus({ agent_id: agentId }, md, opts, cb), options);
  }

  register(agent: Partial<AgentInfoMessage>, options: CallOptions = {}): Promise<RegistrationResponseMessage> {
    return this.unary((md, opts, cb) => this.raw.RegisterAgent(agent, md, opts, cb), options);
  }

  list(filter = '', options: CallOptions = {}): Promise<ListAgentsResponseMessage> {
    return this.unary((md, opts, cb) => this.raw.ListAgents({ filter }, md, opts, cb), options);
  }

  close(): void {
    this.raw.close();
  }

  private unary<T>(start: (md: Metadata, opts: object, cb: Callback<T>) => unknown, options: CallOptions): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      start(metadataOf(options), callOptions(options), (error, value) => (error ? reject(error) : resolve(value as T)));
    });
  }
}

/** Every chunk of a stream until it ends; rejects with the ServiceError if it fails. */
export function collect(stream: ClientReadableStream<TaskChunkMessage>): Promise<TaskChunkMessage[]> {
  return new Promise((resolve, reject) => {
    const chunks: TaskChunkMessage[] = [];
    stream.on('data', (chunk: TaskChunkMessage) => chunks.push(chunk));
    stream.on('error', reject);
    stream.on('end', () => resolve(chunks));
  });
}

function metadataOf(options: CallOptions): Metadata {
  const metadata = new Metadata();
  for (const [key, values] of Object.entries(options.metadata ?? {})) {
    for (const value of Array.isArray(values) ? values : [values]) metadata.add(key, value);
  }
  return metadata;
}

const callOptions = (options: CallOptions): object =>
  options.deadlineMs === undefined ? {} : { deadline: new Date(Date.now() + options.deadlineMs) };
