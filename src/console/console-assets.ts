import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

/**
 * Where `npm run build` puts the console bundle (scripts/build-console.ts). The path is the same from
 * `dist/console/` (built service) and `src/console/` (ts-node, tests): `<project>/dist/console-app`.
 */
export const CONSOLE_APP_DIR = resolve(__dirname, '..', '..', 'dist', 'console-app');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
};

/** Plain file names only: no folders, no dot files, nothing a path could escape through. */
const ASSET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*\.(?:js|css|svg|map)$/;

export interface ConsoleFile {
  readonly body: Buffer;
  readonly contentType: string;
}

/** Reads the console's files from the bundle folder; `undefined` when a file is not there. */
export class ConsoleAssets {
  constructor(private readonly dir = CONSOLE_APP_DIR) {}

  page(): Promise<ConsoleFile | undefined> {
    return this.read('index.html');
  }

  asset(name: string): Promise<ConsoleFile | undefined> {
    return ASSET_NAME.test(name) ? this.read(name) : Promise.resolve(undefined);
  }

  private async read(name: string): Promise<ConsoleFile | undefined> {
    try {
      const body = await readFile(join(this.dir, name));
      return { body, contentType: CONTENT_TYPES[extname(name)] ?? 'application/octet-stream' };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}
