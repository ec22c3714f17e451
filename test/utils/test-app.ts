import { INestApplication } from '@nestjs/common';
import type { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { createApp } from '../../src/bootstrap';
import { AppConfig } from '../../src/config/app-config';
import { loadConfig } from '../../src/config/load-config';

export interface RunningApp {
  readonly app: INestApplication;
  readonly config: AppConfig;
  readonly baseUrl: string;
  readonly wsUrl: string;
  close(): Promise<void>;
}

/** Starts the real application (same bootstrap as main.ts) on 127.0.0.1 and a free port. */
export async function startApp(databaseUrl: string, env: Record<string, string> = {}): Promise<RunningApp> {
  const config = loadConfig({ DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1', ...env });
  const app = await createApp(config, {
    logLevels: process.env.TEST_LOGS ? ['log', 'warn', 'error', 'debug'] : ['error', 'fatal'],
  });
  await app.listen(0, '127.0.0.1');
  const { port } = (app.getHttpServer() as Server).address() as AddressInfo;
  return {
    app,
    config,
    baseUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}`,
    close: () => app.close(),
  };
}
