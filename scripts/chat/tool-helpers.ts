import { readFile, stat } from 'node:fs/promises';
import type { JsonObject, JsonValue } from '../../src/protocol/json';

/** Small helpers of the local tools: argument checks, output caps, globs. */

const MAX_OUTPUT = 100 * 1024;
const MAX_SEARCH_FILE = 1024 * 1024;

/** Collects a child's output up to MAX_OUTPUT bytes. */
export class OutputBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private dropped = false;

  add(chunk: Buffer): void {
    if (this.size >= MAX_OUTPUT) {
      this.dropped = true;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
  }

  text(): string {
    const all = Buffer.concat(this.chunks).toString('utf8');
    return all.length > MAX_OUTPUT || this.dropped ? `${all.slice(0, MAX_OUTPUT)}\n…(output cut)` : all;
  }
}

export function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

export async function readSearchable(file: string): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info?.isFile() || info.size > MAX_SEARCH_FILE) return null;
  const content = await readFile(file, 'utf8').catch(() => null);
  return content === null || content.includes('\u0000') ? null : content;
}

export function capped(key: string, value: string, max: number): JsonObject {
  return value.length > max ? { [key]: value.slice(0, max), truncated: true } : { [key]: value };
}

/** `*.ts`, `src/**\/*.md`, `file?.txt`: matched against the name, or the whole path when it has a `/`. */
export function globMatcher(pattern: string): (name: string, relPath: string) => boolean {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*' && pattern[i + 1] === '*') {
      source += '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  const regex = new RegExp(`^${source}$`);
  return pattern.includes('/') ? (_name, relPath) => regex.test(relPath) : (name) => regex.test(name);
}

export function text(args: JsonObject, key: string, allowEmpty = false): string {
  const value: JsonValue | undefined = args[key];
  if (typeof value !== 'string' || (!allowEmpty && value === '')) {
    throw new Error(`argument "${key}" must be a ${allowEmpty ? '' : 'non-empty '}string`);
  }
  return value;
}

export function optText(args: JsonObject, key: string): string | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new Error(`argument "${key}" must be a string`);
  return value;
}

export function optBool(args: JsonObject, key: string): boolean | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new Error(`argument "${key}" must be true or false`);
  return value;
}

export function optInt(args: JsonObject, key: string, min: number): number | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new Error(`argument "${key}" must be an integer ≥ ${min}`);
  }
  return value;
}
