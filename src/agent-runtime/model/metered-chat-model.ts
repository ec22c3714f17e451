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

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    const stop = this.metrics.modelCallDuration.startTimer({ provider: this.name, call: 'stream' });
    let outcome: ModelCallOutcome = 'aborted';
    try {
      yield* this.inner.stream(request);
      outcome = 'ok';
    } catch (error) {
      outcome = this.failure(error, request.signal);
      throw error;
    } finally {
      // A consumer that stops iterating early lands here without an error: that is an abort too.
      stop({ outcome });
    }
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
