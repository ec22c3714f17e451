import { createInterface } from 'node:readline';

/**
 * Reads a password from the terminal without echoing it, or the first line of standard input when it is
 * not a terminal (scripts: `printf '%s\n' "$PW" | npm run users -- add alice`). Never from argv, where
 * it would show in `ps` and shell history.
 */
export async function readPassword(prompt: string): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) return firstLine();
  process.stderr.write(prompt);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  try {
    return await new Promise<string>((resolve, reject) => {
      let value = '';
      const onData = (chunk: string): void => {
        for (const char of chunk) {
          if (char === '\r' || char === '\n' || char === '\u0004') {
            input.off('data', onData);
            process.stderr.write('\n');
            resolve(value);
            return;
          }
          if (char === '\u0003') {
            input.off('data', onData);
            process.stderr.write('\n');
            reject(new Error('cancelled'));
            return;
          }
          if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
          else value += char;
        }
      };
      input.on('data', onData);
    });
  } finally {
    input.setRawMode(false);
    input.pause();
  }
}

let lines: AsyncIterator<string> | undefined;

async function firstLine(): Promise<string> {
  lines ??= createInterface({ input: process.stdin, terminal: false })[Symbol.asyncIterator]();
  const next = await lines.next();
  return next.done ? '' : next.value;
}
