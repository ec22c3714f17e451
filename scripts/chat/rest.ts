import { isJsonObject, JsonValue } from '../../src/protocol/json';
import { compact } from './render';

export type RestResult = { readonly ok: true; readonly body: JsonValue; readonly text: string } | { readonly ok: false; readonly error: string };

/** One REST call of the terminal client; a failure comes back as a printable reason, never a throw. */
export async function rest(
  url: string,
  headers: Readonly<Record<string, string>>,
  init: { method?: string; body?: unknown } = {},
): Promise<RestResult> {
  try {
    const response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { ...headers, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    const isJson = (response.headers.get('content-type') ?? '').includes('json');
    const body = isJson && text !== '' ? (JSON.parse(text) as JsonValue) : text;
    if (!response.ok) {
      const message = isJsonObject(body) ? body['message'] : body;
      return { ok: false, error: `HTTP ${response.status}: ${compact(message ?? null)}` };
    }
    return { ok: true, body, text };
  } catch (error) {
    return { ok: false, error: `failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
