/**
 * Terminal chat client for the CodeLab Agent Service: `npm run chat -- --url http://127.0.0.1:8000`.
 * See `--help` and docs/protocol.md.
 */
import { ChatClient } from './chat/client';
import { ChatOptions, OptionsError, parseOptions, USAGE } from './chat/options';

function main(): void {
  let options: ChatOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof OptionsError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  void new ChatClient(options).run();
}

main();
