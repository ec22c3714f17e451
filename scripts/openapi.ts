/**
 * Writes the REST API's OpenAPI document to docs/openapi.json (keys sorted, so diffs stay small):
 * `npm run openapi`. Builds the real application on an in-memory SQLite database, exactly as served
 * at /api/docs-json; test/e2e/openapi-document.e2e-spec.ts fails when the committed file drifts.
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp, createOpenApiDocument } from '../src/bootstrap';
import { loadConfig } from '../src/config/load-config';
import { stableOpenApiJson } from '../src/openapi-document';

const OPENAPI_FILE = join(__dirname, '..', 'docs', 'openapi.json');

async function main(): Promise<void> {
  const app = await createApp(loadConfig({ DATABASE_URL: 'sqlite::memory:' }), { logLevels: ['error', 'fatal'] });
  try {
    writeFileSync(OPENAPI_FILE, stableOpenApiJson(createOpenApiDocument(app)));
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
  } finally {
    await app.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
