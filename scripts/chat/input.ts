import { clearLine, createInterface, cursorTo, Interface } from 'node:readline';

export type InputEvent =
  | { readonly kind: 'line'; readonly text: string }
  | { readonly kind: 'eof' }
  | { readonly kind: 'interrupt' };

/**
 * Lines from stdin, one at a time, whether a person types them or a pipe delivers them all at once:
 * lines that arrive while nobody asks are kept in order. Ctrl-C goes to `onInterrupt`; when a read
 * is waiting, the owner may end it with `interruptRead()`.
 */
export class LineInput {
  readonly interactive: boolean;
  private readonly rl: Interface;
  private readonly lines: string[] = [];
  private ended = false;
  private waiter: ((event: InputEvent) => void) | null = null;

  constructor(private readonly onInterrupt: () => void) {
    this.interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
    this.rl = createInterface({ input: process.stdin, output: process.stdout, terminal: this.interactive });
    this.rl.on('line', (line) => this.deliver({ kind: 'line', text: line }) || this.lines.push(line));
    this.rl.on('close', () => {
      this.ended = true;
      this.deliver({ kind: 'eof' });
    });
    this.rl.on('SIGINT', onInterrupt);
    process.on('SIGINT', onInterrupt);
  }

  get isReading(): boolean {
    return this.waiter !== null;
  }

  /** The next line; `prompt` is shown on a terminal (and, when `always`, also when stdin is piped). */
  read(prompt: string, options: { always?: boolean; prefill?: string } = {}): Promise<InputEvent> {
    const queued = this.lines.shift();
    if (queued !== undefined) {
      if (options.always && !this.interactive) process.stdout.write(`${prompt}${queued}\n`);
      return Promise.resolve({ kind: 'line', text: queued });
    }
    if (this.ended) return Promise.resolve({ kind: 'eof' });
    if (this.interactive) {
      this.rl.setPrompt(prompt);
      this.rl.prompt();
      if (options.prefill) this.rl.write(options.prefill);
    } else if (options.always) {
      process.stdout.write(`${prompt}\n`);
    }
    return new Promise((resolve) => {
      this.waiter = resolve;
    });
  }

  /** Runs `write` (which prints whole lines) so that a prompt being shown is cleared first and redrawn after. */
  aside(write: () => void): void {
    if (!this.interactive || !this.waiter) {
      write();
      return;
    }
    clearLine(process.stdout, 0);
    cursorTo(process.stdout, 0);
    write();
    this.rl.prompt(true);
  }

  /** Ends a waiting `read` with an `interrupt` event. */
  interruptRead(): void {
    if (this.interactive) process.stdout.write('\n');
    this.deliver({ kind: 'interrupt' });
  }

  close(): void {
    process.removeListener('SIGINT', this.onInterrupt);
    this.rl.close();
  }

  private deliver(event: InputEvent): boolean {
    const waiter = this.waiter;
    if (!waiter) return false;
    this.waiter = null;
    waiter(event);
    return true;
  }
}
