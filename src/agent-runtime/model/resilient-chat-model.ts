import { Logger } from '@nestjs/common';
import type { ChatMessage } from '../../protocol/chat-message';
import { ChatModel, ModelError, ModelEvent, ModelRequest } from './chat-model';

export interface ResilienceOptions {
  /** A streamed answer that sends nothing for this long is aborted. */
  readonly idleTimeoutMs: number;
  /** Consecutive failures that open the circuit… */
  readonly breakerThreshold: number;
  /** …for this long; then one trial call is let through (half-open). */
  readonly breakerCooldownMs: number;
}

/**
 * Wraps a provider with what the SDK does not give: a timeout between streamed events (a stalled
 * stream is aborted), and a circuit breaker that fails fast while the provider is down instead of
 * making every user wait for the full timeout. Retries with jittered backoff stay in the provider.
 * Aborts by the caller never count as failures.
 */
export class ResilientChatModel implements ChatModel {
  private readonly logger = new Logger(ResilientChatModel.name);
  private failures = 0;
  private openUntil = 0;
  private trialRunning = false;

  constructor(
    private readonly inner: ChatModel,
    private readonly options: ResilienceOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get name(): string {
    return this.inner.name;
  }

  /** `closed`, `open` (failing fast) or `half-open` (one trial call allowed). */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.options.breakerThreshold) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    this.admit();
    const linked = new AbortController();
    const forward = (): void => linked.abort(request.signal.reason);
    request.signal.addEventListener('abort', forward, { once: true });
    let idle: NodeJS.Timeout | undefined;
    let stalled = false;
    const arm = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        linked.abort('idle');
      }, this.options.idleTimeoutMs);
    };
    try {
      arm();
      for await (const event of this.inner.stream({ ...request, signal: linked.signal })) {
        arm();
        yield event;
      }
      this.succeeded();
    } catch (error) {
      if (request.signal.aborted) throw error;
      const failure = stalled
        ? new ModelError(`The model sent nothing for ${this.options.idleTimeoutMs} ms; the request was stopped`, undefined, 'stalled')
        : error;
      this.failed(failure);
      throw failure;
    } finally {
      clearTimeout(idle);
      request.signal.removeEventListener('abort', forward);
      this.trialRunning = false;
    }
  }

  async complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    this.admit();
    try {
      const text = await this.inner.complete(request);
      this.succeeded();
      return text;
    } catch (error) {
      if (!request.signal.aborted) this.failed(error);
      throw error;
    } finally {
      this.trialRunning = false;
    }
  }

  private admit(): void {
    const state = this.state;
    if (state === 'closed') return;
    if (state === 'half-open' && !this.trialRunning) {
      this.trialRunning = true;
      return;
    }
    const seconds = Math.max(1, Math.ceil((this.openUntil - this.now()) / 1000));
    throw new ModelError(`The model is unavailable after repeated failures; retrying in ${seconds} s`, undefined, 'circuit_open');
  }

  private succeeded(): void {
    if (this.failures >= this.options.breakerThreshold) this.logger.log('model circuit closed again');
    this.failures = 0;
  }

  private failed(error: unknown): void {
    this.failures += 1;
    if (this.failures >= this.options.breakerThreshold) {
      this.openUntil = this.now() + this.options.breakerCooldownMs;
      this.logger.warn(
        `model circuit open for ${this.options.breakerCooldownMs} ms after ${this.failures} failures (last: ${(error as Error).message})`,
      );
    }
  }
}
