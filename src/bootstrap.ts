import { BadRequestException, INestApplication, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { flattenValidationErrors } from './common/validation-errors';
import { AgentWsAdapter } from './gateway/agent-ws.adapter';
import { AppConfig } from './config/app-config';
import { SERVICE_NAME, SERVICE_VERSION } from './health/service-info';

/**
 * Builds the whole application: the one place that wires pipes, filters, the WebSocket adapter and
 * Swagger. `main.ts` and the e2e tests both call it, so tests run what production runs.
 */
export async function createApp(
  config: AppConfig,
  options: { logLevels?: LogLevel[] } = {},
): Promise<INestApplication> {
  const app = await NestFactory.create(AppModule.forRoot(config), {
    logger: options.logLevels ?? ['log', 'warn', 'error', 'fatal'],
  });
  return configureApp(app, config);
}

/** Pipes, filters, the WebSocket adapter, shutdown hooks and Swagger on an application built from AppModule. */
export function configureApp(app: INestApplication, config: AppConfig): INestApplication {
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
