import { INestApplication, LogLevel } from '@nestjs/common';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';
import { grpcAddressOf } from '../../src/platform/grpc/agent-grpc.server';

export interface RunningApp {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly baseUrl: string;
  readonly wsUrl: string;
  /** `127.0.0.1:<port>` of the gRPC AgentService; null unless the spec set GRPC_PORT (default off here). */
  readonly grpcAddress: string | null;
  close(): Promise<void>;
}

/**
 * Starts the real application (same bootstrap as main.ts) on 127.0.0.1 and a free port. gRPC is off
 * unless `env` sets GRPC_PORT (use `0`): parallel spec files would otherwise fight over port 50051.
 */
export async function startApp(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { logLevels?: LogLevel[] } = {},
): Promise<RunningApp> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', GRPC_PORT: 'off', ...env });
  const app = await createApp(config, {
    logLevels: options.logLevels ?? (process.env.TEST_LOGS ? ['log', 'warn', 'error', 'debug'] : ['error', 'fatal']),
  });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    grpcAddress: grpcAddressOf(app, config),
    close: () => app.close(),
  };
}
