import { resolve } from 'node:path';
import type { PackageDefinition } from '@grpc/proto-loader';
import { loadSync, Options } from '@grpc/proto-loader';

/** `proto/agent_platform.proto`, found from `src/platform/grpc` and from `dist/platform/grpc` alike. */
export const AGENT_PLATFORM_PROTO = resolve(__dirname, '..', '..', '..', 'proto', 'agent_platform.proto');
export const AGENT_PLATFORM_PACKAGE = 'agentplatform';
export const AGENT_SERVICE = `${AGENT_PLATFORM_PACKAGE}.AgentService`;

/** Field names stay snake_case as in the proto; int64 arrives as a number; unset fields get defaults. */
export const PROTO_LOADER_OPTIONS: Options = { keepCase: true, longs: Number, enums: String, defaults: true, oneofs: true };

let definition: PackageDefinition | undefined;

/** The parsed proto, loaded once (the server, the health check, reflection and the forwarding client share it). */
export function agentPlatformDefinition(): PackageDefinition {
  definition ??= loadSync(AGENT_PLATFORM_PROTO, PROTO_LOADER_OPTIONS);
  return definition;
}
