import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { isJsonObject } from '../../src/protocol/json';
import { compact } from './render';
import { rest } from './rest';

/** Where the REST calls of `/search`, `/export` and `/fork` go. */
export interface RestTarget {
  readonly httpUrl: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** `/search <words>`: the caller's matching messages, best first, one line each. */
export async function searchLines(target: RestTarget, query: string): Promise<string[]> {
  const result = await rest(`${target.httpUrl}/api/v1/search?${new URLSearchParams({ q: query }).toString()}`, target.headers);
  if (!result.ok) return [`[search] ${result.error}`];
  const hits = isJsonObject(result.body) && Array.isArray(result.body['results']) ? result.body['results'].filter(isJsonObject) : [];
  if (hits.length === 0) return [`[search] no results for ${JSON.stringify(query)}`];
  return [
    `[search] ${hits.length} result${hits.length === 1 ? '' : 's'} for ${JSON.stringify(query)}, best first:`,
    ...hits.map((h) => `  ${compact(h['session_id'])} #${compact(h['seq'])} ${compact(h['role'])} (${compact(h['title'])}): ${compact(h['snippet'], 200)}`),
  ];
}

/**
 * `/export [file]`: without a file, the Markdown transcript is printed; with one, it is written there
 * (relative to the workspace): Markdown for `.md`/`.markdown`, the JSON export otherwise.
 */
export async function exportLines(target: RestTarget, sessionId: string, file: string | undefined, workspace: string): Promise<string[]> {
  const markdown = file === undefined || ['.md', '.markdown'].includes(extname(file).toLowerCase());
  const url = `${target.httpUrl}/api/v1/sessions/${encodeURIComponent(sessionId)}/export?format=${markdown ? 'markdown' : 'json'}`;
  const result = await rest(url, target.headers);
  if (!result.ok) return [`[export] ${result.error}`];
  if (file === undefined) return result.text.replace(/\n$/, '').split('\n');
  const path = resolve(workspace, file);
  try {
    writeFileSync(path, markdown ? result.text : `${JSON.stringify(result.body, null, 2)}\n`);
  } catch (error) {
    return [`[export] cannot write ${path}: ${error instanceof Error ? error.message : String(error)}`];
  }
  return [`[export] wrote ${path} (${markdown ? 'Markdown transcript' : 'JSON, readable by POST /api/v1/imports'})`];
}

/** `/fork [n]`: a new session with the messages up to seq `n` (all by default); its id when it worked. */
export async function forkSession(target: RestTarget, sessionId: string, upToSeq: number | undefined): Promise<{ lines: string[]; forkId?: string }> {
  const url = `${target.httpUrl}/api/v1/sessions/${encodeURIComponent(sessionId)}/fork`;
  const result = await rest(url, target.headers, { method: 'POST', body: upToSeq === undefined ? {} : { up_to_seq: upToSeq } });
  if (!result.ok) return { lines: [`[fork] ${result.error}`] };
  const id = isJsonObject(result.body) ? result.body['id'] : undefined;
  if (typeof id !== 'string') return { lines: [`[fork] unexpected answer: ${compact(result.body)}`] };
  const count = isJsonObject(result.body) ? compact(result.body['message_count']) : '?';
  return { lines: [`[fork] session ${id} with ${count} messages of ${sessionId}; now chatting in the fork`], forkId: id };
}
