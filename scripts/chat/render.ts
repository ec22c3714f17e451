import type { JsonValue } from '../../src/protocol/json';

/**
 * Terminal output: conversation on stdout, connection notices on stderr. Streamed tokens are written
 * as they come; anything else printed meanwhile first ends the half-written line.
 */
export class Printer {
  /** The cursor is not at the start of a line. */
  private midLine = false;
  /** Tokens of the current answer have been shown. */
  private streaming = false;

  /** Wraps whole-line writes, so that an input prompt on screen can be cleared and redrawn around them. */
  around: (write: () => void) => void = (write) => write();

  constructor(
    private readonly out: NodeJS.WritableStream = process.stdout,
    private readonly err: NodeJS.WritableStream = process.stderr,
  ) {}

  line(text: string): void {
    this.around(() => {
      this.endLine();
      this.streaming = false;
      this.out.write(`${text}\n`);
    });
  }

  /** A line about the connection; a streamed answer goes on after it. */
  notice(text: string): void {
    this.around(() => {
      this.endLine();
      this.err.write(`· ${text}\n`);
    });
  }

  /** One streamed piece of an answer (protocol 2). */
  token(label: string, token: string): void {
    if (!this.streaming) this.endLine();
    if (!this.midLine) this.out.write(this.streaming ? `${label}> …` : `${label}> `);
    this.streaming = true;
    this.midLine = true;
    this.out.write(token);
  }

  /** The end of an answer: a newline after streamed tokens, or the whole text when nothing streamed. */
  answer(label: string, content: string): void {
    if (this.streaming) {
      this.streaming = false;
      this.endLine();
    } else {
      this.line(`${label}> ${content}`);
    }
  }

  /** Whether tokens of the current answer have been shown. */
  get isStreaming(): boolean {
    return this.streaming;
  }

  private endLine(): void {
    if (this.midLine) this.out.write('\n');
    this.midLine = false;
  }
}

/** One line, at most `max` characters. */
export function compact(value: JsonValue | undefined, max = 200): string {
  const text = (typeof value === 'string' ? value : JSON.stringify(value ?? null)).replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
