import type { ChatMessage } from '../../src/protocol/chat-message';
import type { ChatModel, ModelEvent, ModelRequest } from '../../src/agent-runtime/model/chat-model';

/** One scripted model answer: text pieces, then optionally tool calls; or it stalls until aborted. */
export interface ScriptedAnswer {
  readonly text?: readonly string[];
  readonly calls?: readonly { readonly name: string; readonly arguments: string }[];
  /** After the text, wait until the request is aborted, then fail like a real aborted request. */
  readonly stall?: boolean;
  /** After the text, fail with this error. */
  readonly error?: Error;
}

/**
 * A fake ChatModel for unit specs: answers from a queue of scripted answers, one per `stream` call,
 * and records every request. Without a scripted answer it says "(no script)".
 */
export class ScriptedChatModel implements ChatModel {
  readonly name = 'scripted';
  readonly requests: ModelRequest[] = [];
  private readonly answers: ScriptedAnswer[] = [];
  /** Resolves the waiters of `streaming()` once a stalled answer is under way. */
  private stalled: (() => void)[] = [];

  script(...answers: ScriptedAnswer[]): this {
    this.answers.push(...answers);
    return this;
  }

  /** Resolves when a stalled answer has sent its text and waits for the abort. */
  untilStalled(): Promise<void> {
    return new Promise((resolve) => this.stalled.push(resolve));
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.requests.push(request);
    const answer = this.answers.shift() ?? { text: ['(no script)'] };
    for (const delta of answer.text ?? []) {
      await Promise.resolve(); // a real model yields between pieces
      yield { type: 'text', delta };
    }
    if (answer.stall) {
      await new Promise<void>((_, reject) => {
        const fail = () => reject(new DOMException('The model request was aborted', 'AbortError'));
        if (request.signal.aborted) fail();
        else request.signal.addEventListener('abort', fail, { once: true });
        this.stalled.splice(0).forEach((resolve) => resolve());
      });
    }
    if (answer.error) throw answer.error;
    if (answer.calls && answer.calls.length > 0) {
      yield { type: 'tool_calls', calls: answer.calls.map((c, i) => ({ id: `call_${i}`, ...c })) };
    }
  }

  complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    this.requests.push({ messages: request.messages, tools: [], signal: request.signal });
    return Promise.resolve('{}');
  }
}
