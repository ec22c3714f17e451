import { Server, ServerCredentials } from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { INestApplication } from '@nestjs/common';
import { ServerGrpc } from '@nestjs/microservices';
import { loadSync } from '@grpc/proto-loader';
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check';
import { AppConfig } from '../../config/app-config';
import { agentPlatformDefinition, AGENT_PLATFORM_PACKAGE, AGENT_SERVICE, PROTO_LOADER_OPTIONS } from './agent-platform.proto';

/**
 * Nest's gRPC transport, remembering the port it bound (GRPC_PORT=0 picks a free one; Nest drops
 * the port grpc-js reports, so binding is done here).
 */
class AgentGrpcServer extends ServerGrpc {
  port: number | null = null;

  constructor(
    private readonly address: string,
    private readonly maxMessageBytes: number,
  ) {
    super({
      url: address,
      package: AGENT_PLATFORM_PACKAGE,
      packageDefinition: agentPlatformDefinition(),
      onLoadPackageDefinition: (_definition: unknown, server: Server) => {
        new HealthImplementation({ '': 'SERVING', [AGENT_SERVICE]: 'SERVING' }).addToServer(server);
        // Reflection describes the health service too, so `grpcurl list` shows everything served.
        new ReflectionService({ ...agentPlatformDefinition(), ...loadSync(healthProtoPath, PROTO_LOADER_OPTIONS) }).addToServer(server);
      },
    });
  }

  override async createClient(): Promise<Server> {
    const server = new Server({ 'grpc.max_receive_message_length': this.maxMessageBytes });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(this.address, ServerCredentials.createInsecure(), (error, port) => (error ? reject(error) : resolve(port))),
    );
    return server;
  }
}

const servers = new WeakMap<INestApplication, AgentGrpcServer>();

/** Adds the gRPC AgentService (with health and reflection) to the app, unless GRPC_PORT=off. */
export function connectGrpc(app: INestApplication, config: AppConfig): void {
  if (config.grpcPort === null) return;
  // A request carries at most MAX_MESSAGE_CHARS of input and as much in parameters (4 bytes a char at most).
  const maxMessageBytes = Math.max(4 * 1024 * 1024, 8 * config.limits.maxMessageChars + 64 * 1024);
  const server = new AgentGrpcServer(`${bracketed(config.host)}:${config.grpcPort}`, maxMessageBytes);
  app.connectMicroservice({ strategy: server });
  servers.set(app, server);
}

/** `host:port` the gRPC server listens on, once started; null when it is off. */
export function grpcAddressOf(app: INestApplication, config: AppConfig): string | null {
  const port = servers.get(app)?.port;
  if (port === undefined || port === null) return null;
  return `${bracketed(config.host)}:${port}`;
}

const bracketed = (host: string): string => (host.includes(':') ? `[${host}]` : host);
