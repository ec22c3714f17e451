import { Logger } from '@nestjs/common';
import { BrokenCircuitError, circuitBreaker, CircuitBreakerPolicy, CircuitState, ConsecutiveBreaker, handleWhen } from 'cockatiel';
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

/** Statuses that say the provider (not this request) is in trouble. */
const OUTAGE_STATUSES = new Set([408, 429]);

/**
 * Whether a failed call says the provider is down: network errors, timeouts, stalls, 408, 429 and 5xx.
 * Other 4xx answers (a context too long, a bad request) are about one request: they never open the
 * circuit for everyone. The caller's own abort is never a failure.
 */
export function isOutage(error: unknown): boolean {
  if (error instanceof CallerAborted) return false;
  if (!(error instanceof ModelError) || error.status === undefined) return true;
  return error.status >= 500 || OUTAGE_STATUSES.has(error.status);
}

/** Carries the caller's own abort through the breaker, which must not count it. */
class CallerAborted extends Error {
  constructor(readonly original: unknown) {
    super('aborted by the caller');
  }
}

/**
 * Wraps a provider with what the SDK does not give: a timeout between streamed events (a stalled
 * stream is aborted), and a circuit breaker (cockatiel's) that fails fast while the provider is down
 * instead of making every user wait for the full timeout. After the cooldown exactly one trial call
 * runs; calls arriving meanwhile wait for its outcome. Retries with jittered backoff stay in the provider.
 */
export class ResilientChatModel implements ChatModel {
  private readonly logger = new Logger(ResilientChatModel.name);
  private readonly breaker: CircuitBreakerPolicy;
  private openedAt = 0;

  constructor(
    private readonly inner: ChatModel,
    private readonly options: ResilienceOptions,
  ) {
    this.breaker = circuitBreaker(handleWhen(isOutage), {
      halfOpenAfter: options.breakerCooldownMs,
      breaker: new ConsecutiveBreaker(options.breakerThreshold),
    });
    this.breaker.onBreak((reason) => {
      this.openedAt = Date.now();
      const last = 'error' in reason ? reason.error.message : 'a failed result';
      this.logger.warn(`model circuit open for ${options.breakerCooldownMs} ms (last failure: ${last})`);
    });
    this.breaker.onReset(() => this.logger.log('model circuit closed again'));
  }

  get name(): string {
    return this.inner.name;
  }

  /** `closed`, `open` (failing fast, or cooled down and waiting for a call to try) or `half-open` (the trial runs). */
  get state(): 'closed' | 'open' | 'half-open' {
    switch (this.breaker.state) {
      case CircuitState.Closed:
        return 'closed';
      case CircuitState.HalfOpen:
        return 'half-open';
      case CircuitState.Open:
      case CircuitState.Isolated:
        return 'open';
    }
  }

  async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
    let settle!: { resolve: () => void; reject: (error: unknown) => void };
    const outcome = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
    let admit!: () => void;
    const admitted = new Promise<void>((resolve) => (admit = resolve));
    // The breaker decides when (and whether) the call runs; it learns how it ended through `outcome`.
    const verdict = this.breaker.execute(() => {
      admit();
      return outcome;
    });
    verdict.catch(() => undefined);
    try {
      await Promise.race([admitted, verdict, abortOf(request.signal)]);
    } catch (error) {
      settle.resolve();
      throw this.translate(error);
    }
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
      settle.resolve();
    } catch (error) {
      if (request.signal.aborted) {
        settle.reject(new CallerAborted(error));
        throw error;
      }
      const failure = stalled ? new ModelError(`The model sent nothing for ${this.options.idleTimeoutMs} ms; the request was stopped`, undefined, 'stalled') : error;
      settle.reject(failure);
      throw failure;
    } finally {
      clearTimeout(idle);
      request.signal.removeEventListener('abort', forward);
      settle.resolve(); // the consumer stopped reading early: not a failure
      await verdict.catch(() => undefined);
    }
  }

  async complete(request: { readonly messages: readonly ChatMessage[]; readonly signal: AbortSignal }): Promise<string> {
    try {
      return await this.breaker.execute(async () => {
        try {
          return await this.inner.complete(request);
        } catch (error) {
          throw request.signal.aborted ? new CallerAborted(error) : error;
        }
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  private translate(error: unknown): unknown {
    if (error instanceof CallerAborted) return error.original;
    if (error instanceof BrokenCircuitError) {
      const seconds = Math.max(1, Math.ceil((this.openedAt + this.options.breakerCooldownMs - Date.now()) / 1000));
      return new ModelError(`The model is unavailable after repeated failures; retrying in ${seconds} s`, undefined, 'circuit_open');
    }
    return error;
  }
}

/** Rejects when the caller aborts (while waiting for the breaker to let the call through). */
function abortOf(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(new CallerAborted(signal.reason));
    else signal.addEventListener('abort', () => reject(new CallerAborted(signal.reason)), { once: true });
  });
}
