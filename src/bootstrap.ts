import { BadRequestException, INestApplication, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { json } from 'express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { AppLogger } from './common/logging/app-logger';
import { requestIdMiddleware, restoreLogContext } from './common/logging/request-id.middleware';
import { flattenValidationErrors } from './common/validation-errors';
import { AgentWsAdapter } from './gateway/agent-ws.adapter';
import { AppConfig } from './config/app-config';
import { connectGrpc } from './platform/grpc/agent-grpc.server';
import { SERVICE_NAME, SERVICE_VERSION } from './health/service-info';
import { IMPORT_BODY_LIMIT_BYTES, IMPORT_PATH } from './session/transfer/import-document';

/**
 * Builds the whole application: the one place that wires pipes, filters, the WebSocket adapter,
 * Swagger and the gRPC server (started here, on GRPC_PORT; HTTP starts with `listen`). `main.ts` and the e2e tests both call it, so tests run what production runs.
 */
export async function createApp(
  config: AppConfig,
  options: { logLevels?: LogLevel[] } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: new AppLogger(config.observability.logFormat, options.logLevels ?? ['log', 'warn', 'error', 'fatal']),
    bodyParser: false,
  });
  return configureApp(app, config);
}

/**
 * Everything createApp configures on an application built from AppModule: request ids and body parsers,
 * pipes, filters, the WebSocket adapter, shutdown hooks, Swagger and the gRPC server (started). The
 * application must have been created with `bodyParser: false`.
 */
export async function configureApp(app: NestExpressApplication, config: AppConfig): Promise<INestApplication> {
  // Request id first (every answer carries it), then Nest's usual parsers (JSON up to 100 KiB, except
  // that an import may carry a long session), then the log context again.
  app.use(requestIdMiddleware);
  app.use(IMPORT_PATH, json({ limit: IMPORT_BODY_LIMIT_BYTES }));
  app.useBodyParser('json');
  app.useBodyParser('urlencoded', { extended: true });
  app.use(restoreLogContext);
  app.useGlobalPipes(
    new ValidationPipe({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      exceptionFactory: (errors) => new BadRequestException(flattenValidationErrors(errors)),
    }),
  );
  app.useGlobalFilters(new HttpExceptionFilter());
  app.useWebSocketAdapter(new AgentWsAdapter(app, config.wsMaxFrameBytes, config.lifecycle));
  app.enableShutdownHooks();
  setUpSwagger(app);
  connectGrpc(app, config);
  await app.startAllMicroservices();
  return app;
}

function setUpSwagger(app: INestApplication): void {
  SwaggerModule.setup('api/docs', app, createOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: `${SERVICE_NAME} API`,
  });
}

/**
 * The REST API's OpenAPI document, as served at /api/docs-json. `npm run openapi` writes it to
 * docs/openapi.json (see openapi-document.ts), and a test fails when the two drift apart.
 */
export function createOpenApiDocument(app: INestApplication): ReturnType<typeof SwaggerModule.createDocument> {
  return SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('CodeLab Agent Service')
      .setDescription(
        'Sessions, history, agents and approvals of the CodeLab agent service. The WebSocket protocol ' +
          '(ws://HOST:PORT/api/v1/ws/{session_id}) is described in docs/protocol.md and docs/asyncapi.yaml.',
      )
      .setVersion(SERVICE_VERSION)
      .addBearerAuth()
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'api_key')
      .build(),
  );
}
