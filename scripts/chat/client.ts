import type { ServerFrame, ToolCallFrame } from '../../src/protocol/server-frames';
import { isTemporarySessionId } from '../../src/protocol/session-id';
import { SessionConnection } from './connection';
import { ClientFrame, IncomingFrame, switchOf } from './frames';
import { historyLines } from './history';
import { LineInput } from './input';
import { ChatOptions } from './options';
import { compact, Printer } from './render';
import { exportLines, forkSession, RestTarget, searchLines } from './session-commands';
import { ToolCallAnswers } from './tool-answers';
import { LocalTools } from './tools';

/** How a reply ended, as far as the turn loop cares. */
type ReplyEnd = { readonly kind: 'final'; readonly toolCall?: ToolCallFrame } | { readonly kind: 'dropped' };

export const COMMANDS_HELP = [
  'Commands: /agent <type> (switch agent), /history (stored history), /search <words> (all your sessions),',
  '  /export [file] (print the transcript, or write .md / .json), /fork [n] (continue in a copy of messages 0..n), /help, /quit.',
  'Anything else (also "/tool <name> <json>") is sent as a message.',
].join('\n');

/**
 * The chat loop: read a line, send it, show the reply until its final frame, answer tool calls
 * (asking the user, running the tool here), repeat. Piped stdin works the same, line by line, and the
 * client exits once stdin has ended and the last reply is complete.
 */
export class ChatClient {
  private readonly printer = new Printer();
  private readonly input = new LineInput(() => this.interrupted());
  private readonly connection: SessionConnection;
  private readonly toolAnswers: ToolCallAnswers;
  private readonly ends: ReplyEnd[] = [];
  private endWaiter: ((end: ReplyEnd) => void) | null = null;
  private busy = false;
  private cancelSent = false;
  private agent: string | undefined;

  constructor(private readonly options: ChatOptions) {
    this.printer.around = (write) => this.input.aside(write);
    this.toolAnswers = new ToolCallAnswers({
      input: this.input,
      printer: this.printer,
      tools: new LocalTools(options.workspace),
      send: (frame) => this.connection.send(frame),
      autoApprove: options.autoApprove,
    });
    this.connection = new SessionConnection(options.wsUrl, options.sessionId, options.protocol, options.authHeaders, {
      frame: (incoming) => this.received(incoming),
      notice: (text) => this.printer.notice(text),
      dropped: () => {
        if (this.options.protocol === 1 && this.busy) this.replyEnded({ kind: 'dropped' });
      },
      fatal: (text) => {
        this.printer.line(`[error] ${text}`);
        this.quit(1);
      },
    });
  }

  async run(): Promise<void> {
    const temporary = isTemporarySessionId(this.options.sessionId)
      ? ' (temporary: the service names the real session on the first message)'
      : '';
    this.printer.notice(
      `session ${this.options.sessionId}${temporary}` +
        ` at ${this.options.httpUrl}, protocol ${this.options.protocol}, tools work in ${this.options.workspace};` +
        ' /help for commands',
    );
    this.connection.connect();
    for (;;) {
      const event = await this.input.read('you> ');
      if (event.kind !== 'line') break;
      const text = event.text.trim();
      if (text === '') continue;
      if (text === '/quit' || text === '/exit') break;
      if (!(await this.command(text))) await this.turn(this.userMessage(text));
    }
    this.quit(0);
  }

  /** Runs a slash command; `false` when `text` is to be sent as a message. */
  private async command(text: string): Promise<boolean> {
    const [name, ...rest] = text.split(/\s+/);
    const argument = rest.join(' ');
    switch (name) {
      case '/help':
        this.printer.line(COMMANDS_HELP);
        return true;
      case '/agent':
        if (argument === '') this.printer.line('usage: /agent <orchestrator|coder|architect|debug|ask>');
        else await this.turn({ type: 'switch_agent', agent_type: argument, reason: 'Requested in the terminal client' });
        return true;
      case '/history':
        await this.showHistory();
        return true;
      case '/search':
        this.print(argument === '' ? ['usage: /search <words or "a phrase">'] : await searchLines(this.rest(), argument));
        return true;
      case '/export':
        this.print(this.needsSession('export') ?? (await exportLines(this.rest(), this.connection.currentSessionId, argument || undefined, this.options.workspace)));
        return true;
      case '/fork':
        await this.fork(argument);
        return true;
      default:
        return false;
    }
  }

  private userMessage(content: string): ClientFrame {
    const agent = this.options.agent;
    return { type: 'user_message', content, role: 'user', ...(agent ? { agent_type: agent } : {}) };
  }

  /** Sends one frame and follows its reply (and the replies to our tool results) to the end. */
  private async turn(frame: ClientFrame): Promise<void> {
    this.busy = true;
    this.cancelSent = false;
    this.ends.length = 0;
    this.connection.send(frame);
    try {
      for (;;) {
        const end = await this.nextEnd();
        if (end.kind === 'dropped') {
          this.printer.notice('the connection dropped during the reply; protocol 1 cannot resume it');
          return;
        }
        if (!end.toolCall) return;
        await this.toolAnswers.answer(end.toolCall);
      }
    } finally {
      this.busy = false;
    }
  }

  private nextEnd(): Promise<ReplyEnd> {
    const queued = this.ends.shift();
    if (queued) return Promise.resolve(queued);
    return new Promise((resolve) => {
      this.endWaiter = resolve;
    });
  }

  private replyEnded(end: ReplyEnd): void {
    const waiter = this.endWaiter;
    this.endWaiter = null;
    if (waiter) waiter(end);
    else this.ends.push(end);
  }

  private received(incoming: IncomingFrame): void {
    if (!incoming.known) {
      this.printer.line(`[${incoming.frame.type}] ${compact(incoming.frame.raw)}`);
      if (incoming.frame.is_final && this.busy) this.replyEnded({ kind: 'final' });
      return;
    }
    const frame = incoming.frame;
    this.show(frame);
    if (frame.is_final && this.busy) {
      this.replyEnded(frame.type === 'tool_call' ? { kind: 'final', toolCall: frame } : { kind: 'final' });
    }
  }

  private show(frame: ServerFrame): void {
    const label = this.agent ?? 'assistant';
    switch (frame.type) {
      case 'session_info':
        this.connection.bindSession(frame.session_id);
        this.printer.line(`[session] ${frame.session_id}`);
        break;
      case 'status':
        if (frame.session_id) this.connection.bindSession(frame.session_id);
        this.agent = frame.current_agent;
        this.printer.notice(`state ${frame.state}, agent ${frame.current_agent}, last_seq ${frame.last_seq}`);
        if (frame.state === 'awaiting_tool' || frame.state === 'awaiting_approval') {
          this.printer.notice('the session waits for a tool result; a new message closes that call as not run');
        }
        break;
      case 'assistant_message':
        if (frame.is_final) this.printer.answer(label, frame.content ?? frame.token);
        else this.printer.token(label, frame.token);
        break;
      case 'tool_call':
        this.printer.line(
          `[tool] ${label} calls ${frame.tool_name} ${JSON.stringify(frame.arguments)}` +
            (frame.requires_approval ? ' (needs approval)' : ''),
        );
        if (!this.busy) this.printer.line('[tool] (another client\'s turn: not answered here)');
        break;
      case 'agent_switched': {
        const change = switchOf(frame);
        this.agent = change.to;
        this.printer.line(`[agent] ${change.from} → ${change.to}${change.reason ? ` (${change.reason})` : ''}`);
        break;
      }
      case 'error':
        this.printer.line(`[error] ${frame.content ?? frame.error}`);
        break;
      case 'cancelled': {
        const streamed = this.printer.isStreaming;
        if (streamed) this.printer.answer(label, '');
        this.printer.line(frame.content && !streamed ? `[cancelled] kept: ${frame.content}` : '[cancelled]');
        break;
      }
    }
  }

  private async showHistory(): Promise<void> {
    this.print(this.needsSession('history') ?? (await historyLines(this.options.httpUrl, this.connection.currentSessionId, this.options.authHeaders)));
  }

  private async fork(argument: string): Promise<void> {
    const missing = this.needsSession('fork');
    if (missing) return this.print(missing);
    if (argument !== '' && !/^\d+$/.test(argument)) return this.print(['usage: /fork [n] (keep messages 0..n of the history; default all)']);
    const result = await forkSession(this.rest(), this.connection.currentSessionId, argument === '' ? undefined : Number(argument));
    this.print(result.lines);
    if (result.forkId) this.connection.switchSession(result.forkId);
  }

  /** A line to print when there is no real session yet (temporary id before the first message). */
  private needsSession(command: string): string[] | undefined {
    return isTemporarySessionId(this.connection.currentSessionId) ? [`[${command}] no session yet: send a message first`] : undefined;
  }

  private rest(): RestTarget {
    return { httpUrl: this.options.httpUrl, headers: this.options.authHeaders };
  }

  private print(lines: readonly string[]): void {
    for (const line of lines) this.printer.line(line);
  }

  /** Ctrl-C: ends a waiting read; during a turn, cancels it (protocol 2) and quits on the second press. */
  private interrupted(): void {
    if (this.input.isReading) {
      this.input.interruptRead();
    } else if (this.busy && this.options.protocol === 2 && !this.cancelSent) {
      this.cancelSent = true;
      this.connection.send({ type: 'cancel' });
      this.printer.notice('cancelling the turn… (Ctrl-C again to quit)');
    } else {
      this.quit(130);
    }
  }

  private quit(code: number): void {
    this.connection.close();
    this.input.close();
    // Let buffered output drain first (pipes may be asynchronous), but never wait long for it.
    process.stdout.write('', () => process.exit(code));
    setTimeout(() => process.exit(code), 500);
  }
}
