import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Outcome of one turn (the reply to one client frame), from its final frame. */
export type TurnOutcome = 'completed' | 'tool_call' | 'switched' | 'cancelled' | 'error';
/** Transports that hold a connection open: compat and protocol-2 WebSockets, SSE streams. */
export type OpenSocketProtocol = 'ws1' | 'ws2' | 'sse';
export type ModelCallOutcome = 'ok' | 'error' | 'aborted';

const TURN_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const COMMIT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/**
 * The service's Prometheus instruments, on a registry of its own (one per application instance, so
 * several apps in one process — tests — never collide), plus prom-client's default process metrics.
 * Labels are bounded sets (agent names, outcomes, protocols, provider names): never a session or
 * user id. Recording is a counter increment or a bucket search, cheap enough for every frame.
 */
@Injectable()
export class Metrics {
  readonly registry = new Registry();

  readonly turns = new Counter({
    name: 'codelab_turns_total',
    help: 'Replies to client frames, by the agent that answered and how the reply ended',
    labelNames: ['agent', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly turnDuration = new Histogram({
    name: 'codelab_turn_duration_seconds',
    help: 'Time from the start of a turn (after queueing) to its final frame',
    labelNames: ['outcome'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  });

  readonly modelCallDuration = new Histogram({
    name: 'codelab_model_call_duration_seconds',
    help: 'Duration of one model request (streamed answer or classification), retries included',
    labelNames: ['provider', 'call', 'outcome'] as const,
    buckets: TURN_BUCKETS,
    registers: [this.registry],
  });

  readonly modelErrors = new Counter({
    name: 'codelab_model_errors_total',
    help: 'Model requests that failed after retries, by kind (http_4xx, http_5xx, unavailable, other)',
    labelNames: ['provider', 'kind'] as const,
    registers: [this.registry],
  });

  readonly openSockets = new Gauge({
    name: 'codelab_open_sockets',
    help: 'Open client connections by protocol (ws1 = compat WebSocket, ws2 = protocol 2, sse = event streams)',
    labelNames: ['protocol'] as const,
    registers: [this.registry],
  });

  readonly queuedFrames = new Gauge({
    name: 'codelab_queued_frames',
    help: 'Client frames waiting for or running in their session queue',
    registers: [this.registry],
  });

  readonly commitDuration = new Histogram({
    name: 'codelab_db_commit_duration_seconds',
    help: 'Duration of one database write transaction, from BEGIN to COMMIT (or ROLLBACK)',
    labelNames: ['outcome'] as const,
    buckets: COMMIT_BUCKETS,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
    for (const protocol of ['ws1', 'ws2', 'sse'] as const) this.openSockets.set({ protocol }, 0);
  }

  /** The Prometheus text exposition of every metric. */
  scrape(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
