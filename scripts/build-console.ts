/**
 * Builds the web console (console/) into dist/console-app with esbuild: one ES module bundle
 * (Preact, marked, DOMPurify and our code), its stylesheet, source maps and the HTML page.
 *   npm run build:console             # once (part of `npm run build`)
 *   npm run build:console -- --watch  # rebuild on every change while developing
 */
import { copyFile, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as esbuild from 'esbuild';

const ROOT = resolve(__dirname, '..');
const SOURCE = join(ROOT, 'console');
export const CONSOLE_OUT_DIR = join(ROOT, 'dist', 'console-app');

function options(outDir: string): esbuild.BuildOptions {
  return {
    entryPoints: { console: join(SOURCE, 'src', 'main.tsx') },
    outdir: outDir,
    bundle: true,
    format: 'esm',
    target: ['es2022', 'chrome110', 'firefox110', 'safari16'],
    minify: true,
    sourcemap: 'linked',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(SOURCE, 'tsconfig.json'),
    logLevel: 'warning',
    // The bundle must not reach for the network or Node at run time.
    platform: 'browser',
  };
}

/** Builds the console into `outDir` (default dist/console-app). */
export async function buildConsole(outDir = CONSOLE_OUT_DIR): Promise<void> {
  await mkdir(outDir, { recursive: true });
  await esbuild.build(options(outDir));
  await copyFile(join(SOURCE, 'index.html'), join(outDir, 'index.html'));
}

async function main(): Promise<void> {
  if (!process.argv.includes('--watch')) {
    await buildConsole();
    return;
  }
  await buildConsole();
  const context = await esbuild.context({ ...options(CONSOLE_OUT_DIR), logLevel: 'info' });
  await context.watch();
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
