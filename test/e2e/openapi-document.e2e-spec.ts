import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stableOpenApiJson } from '../../src/openapi-document';
import { http } from '../utils/http';
import { useTestApp } from '../utils/use-test-app';

const COMMITTED = join(__dirname, '..', '..', 'docs', 'openapi.json');

/** The first line where two texts differ, with a little context, for a readable failure. */
function firstDifference(committed: string, served: string): string {
  const a = committed.split('\n');
  const b = served.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  const excerpt = (lines: string[]) => lines.slice(Math.max(0, at - 3), at + 4).join('\n');
  return `first difference at line ${at + 1}\n--- docs/openapi.json\n${excerpt(a)}\n+++ served\n${excerpt(b)}`;
}

describe('the committed OpenAPI document (docs/openapi.json)', () => {
  const app = useTestApp();

  it('is exactly what the service serves at /api/docs-json', async () => {
    const served = await http(app.running.baseUrl, 'GET', '/api/docs-json');
    expect(served.status).toBe(200);
    const servedText = stableOpenApiJson(served.body);
    const committedText = readFileSync(COMMITTED, 'utf8');
    if (servedText !== committedText) {
      throw new Error(
        'docs/openapi.json is out of date with the served /api/docs-json: run `npm run openapi` and commit ' +
          `docs/openapi.json.\n${firstDifference(committedText, servedText)}`,
      );
    }
    expect(JSON.parse(committedText)).toEqual(served.body);
  });
});
