import type { ChatMessage } from '../../protocol/chat-message';
import type { ChatModel, ModelEvent, ModelRequest } from './chat-model';

const TOOL_DIRECTIVE = /^\/tool\s+([A-Za-z_][\w-]*)\s*([\s\S]*)$/;
const RESULT_PREVIEW = 500;

/**
 * The built-in offline model: deterministic, instant, no network. It answers with a short text that
 * quotes the user's words, streamed word by word. `/tool <name> <json args>` makes it call a tool
 * (for offline demos and tests); after the tool's answer it quotes the result. `tokens` > 0 makes every
 * answer exactly that many pieces (benchmarks).
 */
export class EchoChatModel implements ChatModel {
  readonly name = 'echo';

  constructor(private readonly tokens = 0) {}

  // eslint-disable-next-line @typescript-eslint/require-await -- instant by design: an AsyncIterable that never waits
  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const last = lastConversationMessage(request.messages);
    const directive = last?.role === 'user' ? TOOL_DIRECTIVE.exec(last.content ?? '') : null;
    if (directive) {
      throwIfAborted(request.signal);
      const args = directive[2]?.trim() || '{}';
      yield { type: 'tool_calls', calls: [{ id: 'echo_call', name: directive[1] ?? '', arguments: args }] };
      return;
    }
    for (const piece of this.pieces(answerTo(last))) {
      throwIfAborted(request.signal);
      yield { type: 'text', delta: piece };
    }
  }

  complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    return new Promise((resolve) => {
      throwIfAborted(request.signal); // a throw in the executor rejects the promise
      resolve(answerTo(lastConversationMessage(request.messages)));
    });
  }

  private pieces(text: string): string[] {
    if (this.tokens > 0) {
      return Array.from({ length: this.tokens }, (_, i) => (i === 0 ? `${text} ` : `t${i} `));
    }
    return text.match(/\S+\s*/g) ?? [text];
  }
}

function lastConversationMessage(messages: readonly ChatMessage[]): ChatMessage | undefined {
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i];
    if (message && message.role !== 'system') return message;
  }
  return undefined;
}

function answerTo(message: ChatMessage | undefined): string {
  if (!message) return 'Hello! (offline echo model)';
  if (message.role === 'tool') {
    const content = message.content ?? '';
    const preview = content.length > RESULT_PREVIEW ? `${content.slice(0, RESULT_PREVIEW)}…` : content;
    return `The tool returned: ${preview}`;
  }
  return `You said: ${message.content ?? ''}`;
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new DOMException('The model request was aborted', 'AbortError');
}
