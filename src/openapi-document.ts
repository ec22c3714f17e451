/**
 * The committed form of the OpenAPI document (docs/openapi.json): object keys sorted at every level
 * (arrays keep their order, which is meaningful), two-space indentation and a final newline, so a
 * change shows up as a small diff. The document itself comes from `createOpenApiDocument` (bootstrap.ts).
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
