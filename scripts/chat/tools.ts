import { spawn } from 'node:child_process';
import { Dirent } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { JsonObject } from '../../src/protocol/json';
import { capped, globMatcher, killGroup, optBool, optInt, optText, OutputBuffer, readSearchable, text } from './tool-helpers';

/**
 * The IDE tools, run for real against one workspace folder, with results shaped like the reference
 * IDE's (codelab-reference §4.4). Paths may not leave the workspace. A failure throws; the caller
 * sends the message as the `tool_result` error.
 */
export class LocalTools {
  constructor(private readonly root: string) {}

  async run(toolName: string, args: JsonObject): Promise<JsonObject> {
    switch (toolName) {
      case 'read_file':
        return this.readFile(args);
      case 'write_file':
        return this.writeFile(args);
      case 'list_files':
        return this.listFiles(args);
      case 'create_directory':
        return this.createDirectory(args);
      case 'execute_command':
      case 'run_command':
        return this.executeCommand(args);
      case 'search_in_code':
        return this.searchInCode(args);
      default:
        throw new Error(`unsupported_tool: ${toolName}`);
    }
  }

  private async readFile(args: JsonObject): Promise<JsonObject> {
    const file = this.inside(text(args, 'path'));
    const startLine = optInt(args, 'start_line', 1);
    const endLine = optInt(args, 'end_line', 1);
    const content = await readFile(file, 'utf8');
    const lines = content.split('\n');
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    if (startLine === undefined && endLine === undefined) {
      return { success: true, ...capped('content', content, MAX_TEXT), lines_read: content === '' ? 0 : lines.length };
    }
    const from = startLine ?? 1;
    const to = Math.min(endLine ?? lines.length, lines.length);
    if (endLine !== undefined && endLine < from) throw new Error('end_line is before start_line');
    const selected = lines.slice(from - 1, to);
    return { success: true, ...capped('content', selected.join('\n'), MAX_TEXT), lines_read: selected.length };
  }

  private async writeFile(args: JsonObject): Promise<JsonObject> {
    const path = text(args, 'path');
    const file = this.inside(path);
    const content = text(args, 'content', true);
    await mkdir(resolve(file, '..'), { recursive: true });
    await writeFile(file, content, 'utf8');
    return { success: true, path, bytes_written: Buffer.byteLength(content, 'utf8') };
  }

  private async createDirectory(args: JsonObject): Promise<JsonObject> {
    const path = text(args, 'path');
    const dir = this.inside(path);
    const existing = await stat(dir).catch(() => null);
    if (existing?.isDirectory()) return { success: true, path, created: false, already_exists: true };
    if (existing) throw new Error(`${path} exists and is not a directory`);
    await mkdir(dir, { recursive: optBool(args, 'recursive') ?? true });
    return { success: true, path, created: true, already_exists: false };
  }

  private async listFiles(args: JsonObject): Promise<JsonObject> {
    const path = optText(args, 'path') ?? '.';
    const dir = this.inside(path);
    const recursive = optBool(args, 'recursive') ?? false;
    const includeHidden = optBool(args, 'include_hidden') ?? false;
    const pattern = optText(args, 'pattern');
    const matches = pattern ? globMatcher(pattern) : () => true;
    const items: JsonObject[] = [];
    let truncated = false;
    for await (const entry of this.walk(dir, { recursive, includeHidden })) {
      if (!matches(entry.name, entry.relPath)) continue;
      if (items.length === MAX_LIST_ENTRIES) {
        truncated = true;
        break;
      }
      const info = await stat(entry.absPath).catch(() => null);
      items.push({
        name: entry.name,
        path: entry.relPath,
        type: entry.isDirectory ? 'directory' : 'file',
        ...(info && !entry.isDirectory ? { size: info.size } : {}),
        ...(info ? { modified: info.mtime.toISOString() } : {}),
      });
    }
    return { success: true, path, items, total_count: items.length, ...(truncated ? { truncated } : {}) };
  }

  private async searchInCode(args: JsonObject): Promise<JsonObject> {
    const query = text(args, 'query');
    if (query === '') throw new Error('query may not be empty');
    const dir = this.inside(optText(args, 'path') ?? '.');
    const filePattern = optText(args, 'file_pattern');
    const matchesFile = filePattern ? globMatcher(filePattern) : () => true;
    const caseSensitive = optBool(args, 'case_sensitive') ?? false;
    const limit = Math.min(optInt(args, 'max_results', 1) ?? MAX_MATCHES, MAX_MATCHES);
    const needle = caseSensitive ? query : query.toLowerCase();
    const matches: JsonObject[] = [];
    let truncated = false;
    for await (const entry of this.walk(dir, { recursive: true, includeHidden: false })) {
      if (entry.isDirectory || !matchesFile(entry.name, entry.relPath)) continue;
      const content = await readSearchable(entry.absPath);
      if (content === null) continue;
      const lines = content.split('\n');
      for (let i = 0; i < lines.length && !truncated; i++) {
        const line = lines[i] ?? '';
        const haystack = caseSensitive ? line : line.toLowerCase();
        for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) {
          if (matches.length === limit) {
            truncated = true;
            break;
          }
          matches.push({
            file: entry.relPath,
            line: i + 1,
            column: at + 1,
            matched_text: line.slice(at, at + query.length),
            line_content: line.length > 500 ? `${line.slice(0, 500)}…` : line,
          });
        }
      }
      if (truncated) break;
    }
    return { query, matches, total_matches: matches.length, truncated };
  }

  private executeCommand(args: JsonObject): Promise<JsonObject> {
    const command = text(args, 'command');
    const cwd = this.inside(optText(args, 'cwd') ?? '.');
    const timeoutSeconds = Math.min(optInt(args, 'timeout', 1) ?? 60, 300);
    const started = Date.now();
    return new Promise((done, fail) => {
      const child = spawn(command, { cwd, shell: true, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
      const out = new OutputBuffer();
      const err = new OutputBuffer();
      child.stdout.on('data', (chunk: Buffer) => out.add(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.add(chunk));
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid !== undefined) killGroup(child.pid);
      }, timeoutSeconds * 1000);
      child.on('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        done({
          command,
          exit_code: code ?? -1,
          stdout: out.text(),
          stderr: err.text() + (signal && !timedOut ? `\n(killed by ${signal})` : ''),
          duration_ms: Date.now() - started,
          timed_out: timedOut,
        });
      });
    });
  }

  /** An absolute path for `path`, which must stay inside the workspace. */
  private inside(path: string): string {
    const absolute = resolve(this.root, path);
    const rel = relative(this.root, absolute);
    if (rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
      throw new Error(`${path} is outside the workspace (${this.root})`);
    }
    return absolute;
  }

  private async *walk(
    dir: string,
    options: { recursive: boolean; includeHidden: boolean },
  ): AsyncGenerator<{ name: string; absPath: string; relPath: string; isDirectory: boolean }> {
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      if (!options.includeHidden && entry.name.startsWith('.')) continue;
      const absPath = join(dir, entry.name);
      const relPath = relative(this.root, absPath).split(sep).join('/');
      const isDirectory = entry.isDirectory();
      yield { name: entry.name, absPath, relPath, isDirectory };
      if (isDirectory && options.recursive && !SKIPPED_DIRS.has(entry.name)) {
        yield* this.walk(absPath, options);
      }
    }
  }
}

const MAX_TEXT = 256 * 1024;
const MAX_LIST_ENTRIES = 1000;
const MAX_MATCHES = 100;
const SKIPPED_DIRS = new Set(['node_modules', 'dist', 'build', '__pycache__']);
