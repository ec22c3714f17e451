import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap';
import { ConfigValidationError } from './config/config-validation.error';
import { loadConfig } from './config/load-config';
import { grpcAddressOf } from './platform/grpc/agent-grpc.server';

async function main(): Promise<void> {
  const logger = new Logger('Main');
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      logger.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, config.host);
  logger.log(`listening on http://${config.host}:${config.port} (Swagger UI at /api/docs)`);
  const grpc = grpcAddressOf(app, config);
  if (grpc) logger.log(`gRPC AgentService on ${grpc}`);
}

void main();
