import type { ChatMessage } from '../../protocol/chat-message';
import type { Metrics, ModelCallOutcome } from '../../metrics/metrics.service';
import { ChatModel, ModelError, ModelEvent, ModelRequest } from './chat-model';

/**
 * Records every model call: its duration (`codelab_model_call_duration_seconds`, by provider, call
 * kind and outcome) and, for failures, their kind (`codelab_model_errors_total`). Aborts by the caller
 * (cancel, shutdown) are `aborted`, not errors.
 */
export class MeteredChatModel implements ChatModel {
  constructor(
    private readonly inner: ChatModel,
    private readonly metrics: Metrics,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  /**
   * The inner stream, timed. A plain iterator that forwards each `next()` rather than an async generator
   * around the inner one: a streamed answer's every piece would otherwise pass through two generators.
   */
  stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    return { [Symbol.asyncIterator]: () => this.timed(this.inner.stream(request)[Symbol.asyncIterator](), request.signal) };
  }

  private timed(inner: AsyncIterator<ModelEvent>, signal: AbortSignal): AsyncIterator<ModelEvent> {
    const stop = this.metrics.modelCallDuration.startTimer({ provider: this.name, call: 'stream' });
    let ended = false;
    const end = (outcome: ModelCallOutcome): void => {
      if (ended) return;
      ended = true;
      stop({ outcome });
    };
    const fail = (error: unknown): never => {
      end(this.failure(error, signal));
      throw error;
    };
    return {
      next: () =>
        inner.next().then((result) => {
          if (result.done) end('ok');
          return result;
        }, fail),
      // A consumer that stops iterating early (break, a throw in its loop): that is an abort too.
      return: async (value?: unknown) => {
        end('aborted');
        if (inner.return) return inner.return(value);
        return { done: true, value: undefined };
      },
    };
  }

  async complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    const stop = this.metrics.modelCallDuration.startTimer({ provider: this.name, call: 'complete' });
    try {
      const text = await this.inner.complete(request);
      stop({ outcome: 'ok' });
      return text;
    } catch (error) {
      stop({ outcome: this.failure(error, request.signal) });
      throw error;
    }
  }

  private failure(error: unknown, signal: AbortSignal): ModelCallOutcome {
    if (signal.aborted) return 'aborted';
    this.metrics.modelErrors.inc({ provider: this.name, kind: error instanceof ModelError ? error.kind : 'other' });
    return 'error';
  }
}
