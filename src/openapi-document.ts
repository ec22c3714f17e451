import { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SERVICE_VERSION } from './health/service-info';

/**
 * The REST API's OpenAPI document, as served at /api/docs-json. `npm run openapi` writes it to
 * docs/openapi.json with `stableOpenApiJson`, and a test fails when the two drift apart.
 */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
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

/**
 * A document as committed: object keys sorted at every level (arrays keep their order, which is
 * meaningful), two-space indentation and a final newline, so a change shows up as a small diff.
 */
export function stableOpenApiJson(document: unknown): string {
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value !== 'object' || value === null) return value;
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([key, child]) => [key, sortKeys(child)]));
}
