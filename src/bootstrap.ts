import { BadRequestException, INestApplication, LogLevel, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SwaggerModule } from '@nestjs/swagger';
import { AppModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { flattenValidationErrors } from './common/validation-errors';
import { AgentWsAdapter } from './gateway/agent-ws.adapter';
import { AppConfig } from './config/app-config';
import { SERVICE_NAME } from './health/service-info';
import { createOpenApiDocument } from './openapi-document';

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
