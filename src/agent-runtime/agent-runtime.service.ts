import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, Subscription } from 'rxjs';
import { DomainError, sessionNotFound } from '../common/domain.error';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { Metrics, TurnOutcome } from '../metrics/metrics.service';
import { ClientFrame, CancelFrame } from '../protocol/client-frames';
import { sessionInfoFrame } from '../protocol/frame-builders';
import { AgentType } from '../protocol/agent-type';
import { CancelledFrame, errorFrame, ServerFrame, SessionState } from '../protocol/server-frames';
import { ConversationStore } from '../session/conversation-store.service';
import type { OwnerScope } from '../session/owner-scope';
import { SessionDeletions } from '../session/session-deletions';
import { SessionService } from '../session/session.service';
import type { FrameSink } from './events/follow-frames';
import { SESSION_EVENT_LOG, SequencedFrame, SessionEventLog } from './events/session-event-log';
import { SESSION_FANOUT, SessionFanout } from './events/session-fanout';
import { SessionStream } from './events/session-stream';
import { SessionQueue, stopReasonOf } from './session-queue';
import { CANCEL_ROUTER, CancelRouter } from '../cluster/cancel-router';
import { HeldLease, SESSION_LEASE, SessionLease } from '../cluster/session-lease';
import { OrphanedTurns } from './turn/orphaned-turns.service';
import { ConversationTurns } from './turn/conversation-turns.service';
import { TurnAborted } from './turn/model-turn.service';
import { TurnContext } from './turn/turn-context';

export type TurnFrame = Exclude<ClientFrame, CancelFrame>;

/** One client frame for one session, as the gateway or the SSE endpoint hands it over. */
export interface RuntimeCommand {
  readonly sessionId: string;
  /** Whose request it is; another owner's session is reported as not found. */
  readonly owner: OwnerScope;
  readonly frame: TurnFrame;
  /** Start the reply with `session_info` (the first message on a temporary id). */
  readonly announceSession?: boolean;
  /**
   * The caller gave up (a gRPC client cancelled, its deadline passed): a frame still queued is dropped,
   * a running turn is stopped like a protocol-2 `cancel` (what it produced is stored).
   */
  readonly signal?: AbortSignal;
  /** False when no IDE can run tools (gRPC, MCP): the model is offered none. Default true. */
  readonly offerTools?: boolean;
  /**
   * Which of the reply's frames the caller wants (default `all`): `no_deltas` leaves out the streamed
   * pieces (a compat socket shows only whole answers), `unnumbered` keeps only frames that are not part
   * of the session's stream (a protocol-2 socket follows the stream itself). Frames left out here never
   * travel through the caller's pipeline: a streamed answer is 50 of them or more.
   */
  readonly reply?: ReplyFrames;
}

export type ReplyFrames = 'all' | 'no_deltas' | 'unnumbered';

const REPLY_FILTERS: Record<ReplyFrames, (frame: ServerFrame) => boolean> = {
  all: () => true,
  no_deltas: (frame) => frame.type !== 'assistant_message' || frame.is_final,
  unnumbered: (frame) => frame.seq === undefined,
};

/** What a (re)connecting protocol-2 client is told first. */
export interface SessionStatus {
  readonly exists: boolean;
  readonly state: SessionState;
  readonly currentAgent: AgentType;
  readonly lastSeq: number;
}

/**
 * The agent runtime's entry point. `handle()` returns the reply to one client frame as an Observable
 * (the in-process, SSE-style stream the gateway relays). Frames of one session run one at a time in
 * arrival order, whichever socket or request sent them. Once started, a turn runs to its end and is
 * stored even if the subscriber goes away; only `cancel()` (or shutdown) stops it early.
 */
@Injectable()
export class AgentRuntimeService implements BeforeApplicationShutdown, OnModuleDestroy {
  private readonly logger = new Logger(AgentRuntimeService.name);
  private readonly queue = new SessionQueue();
  private readonly deletedIds = new Subject<string>();
  private readonly deletionWatch: Subscription;
  private drainingSince: number | undefined;

  constructor(
    private readonly sessions: SessionService,
    private readonly store: ConversationStore,
    private readonly turns: ConversationTurns,
    @Inject(SESSION_EVENT_LOG) private readonly log: SessionEventLog,
    @Inject(SESSION_FANOUT) private readonly fanout: SessionFanout,
    private readonly stream: SessionStream,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: Metrics,
    deletions: SessionDeletions,
    @Inject(SESSION_LEASE) private readonly lease: SessionLease,
    @Inject(CANCEL_ROUTER) private readonly cancels: CancelRouter,
    private readonly orphanedTurns: OrphanedTurns,
  ) {
    this.deletionWatch = deletions.deleted.subscribe((sessionId) => this.forget(sessionId));
    this.cancels.serve((sessionId) => this.queue.stop(sessionId, 'cancelled'));
  }

  /** True once shutdown has begun: no new turns start. */
  get draining(): boolean {
    return this.drainingSince !== undefined;
  }

  /**
   * Sessions that were deleted, after the runtime dropped everything it held of them (running and
   * queued turns stopped, event-log tail and fan-out topic gone). Transports close their sockets on it.
   */
  get deletions(): Observable<string> {
    return this.deletedIds.asObservable();
  }

  handle(command: RuntimeCommand): Observable<ServerFrame> {
    return new Observable<ServerFrame>((subscriber) => {
      let attached = true;
      let finalSent = false;
      const wanted = REPLY_FILTERS[command.reply ?? 'all'];
      const deliver = (frame: ServerFrame): void => {
        finalSent ||= frame.is_final;
        if (attached && wanted(frame)) subscriber.next(frame);
      };
      this.metrics.queuedFrames.inc();
      this.queue
        .enqueue(command.sessionId, (signal) => this.leased(command.sessionId, signal, deliver, () => this.execute(command, signal, deliver)))
        .catch((error: unknown) => {
          // A failure outside the turn's own handling (e.g. the event log refused a frame): the reply
          // still ends with one final frame, and nothing is left as an unhandled rejection.
          const text = this.describe(command.sessionId, error);
          if (!finalSent) deliver(errorFrame(text));
        })
        .finally(() => {
          this.metrics.queuedFrames.dec();
          if (attached) subscriber.complete();
        });
      return () => {
        attached = false;
      };
    });
  }

  /**
   * Every frame of the session with `seq > afterSeq` (replayed from the event log), then live frames:
   * no gap, no repeat. This is what a protocol-2 socket relays.
   */
  watch(sessionId: string, afterSeq: number): Observable<SequencedFrame> {
    return this.stream.follow(sessionId, afterSeq);
  }

  /** {@link watch} into `sink` until `stop()`, without an Observable: what a protocol-2 socket holds for its life. */
  follow(sessionId: string, afterSeq: number, sink: FrameSink): { stop(): void } {
    return this.stream.followInto(sessionId, afterSeq, sink);
  }

  /** Whether `owner` may use the session id: `missing` ids may be created, `foreign` ones are someone else's. */
  async access(sessionId: string, owner: OwnerScope): Promise<'visible' | 'missing' | 'foreign'> {
    if (await this.sessions.isVisible(sessionId, owner)) return 'visible';
    return owner !== null && (await this.sessions.isVisible(sessionId, null)) ? 'foreign' : 'missing';
  }

  /** The owner a server-made session id stands for on a header-less socket (null: not such an id). */
  capabilityOwner(sessionId: string): Promise<string | null> {
    return this.sessions.capabilityOwner(sessionId);
  }

  async status(sessionId: string): Promise<SessionStatus> {
    const state = await this.store.load(sessionId);
    if (!state) return { exists: false, state: 'idle', currentAgent: 'orchestrator', lastSeq: 0 };
    const lastSeq = await this.log.lastSeq(sessionId);
    const awaiting = state.awaitingToolCalls;
    // Redis unreachable: what this instance runs is all it can tell.
    const running = this.queue.pending(sessionId) > 0 || (this.lease.shared && (await this.lease.isHeld(sessionId).catch(() => false)));
    const phase: SessionState = running
      ? 'running'
        : awaiting.some((c) => c.requiresApproval)
          ? 'awaiting_approval'
          : awaiting.length > 0
            ? 'awaiting_tool'
            : 'idle';
    return { exists: true, state: phase, currentAgent: state.currentAgent, lastSeq };
  }

  /**
   * Stops the session's running turn and drops the frames queued behind it (each of their replies is
   * one `cancelled` frame; nothing of them is stored), on whichever instance they run. False when
   * nothing runs or waits, which is exactly when `status` says the session is not `running`.
   */
  cancel(sessionId: string): Promise<boolean> {
    return this.cancels.cancel(sessionId);
  }

  /**
   * Several instances: closes the turn of an instance that died holding the session's lease (its lease
   * expired), when no frame of the session comes to do it. Resolves once done (or nothing was left).
   */
  reclaim(sessionId: string): Promise<void> {
    return this.queue.enqueue(sessionId, (signal) => this.leased(sessionId, signal, () => undefined, () => Promise.resolve()));
  }

  /** Frames waiting or running for the session (the running one included). */
  queued(sessionId: string): number {
    return this.queue.pending(sessionId);
  }

  onModuleDestroy(): void {
    this.deletionWatch.unsubscribe();
    this.deletedIds.complete();
  }

  /**
   * Graceful shutdown: no new turns start; running ones get SHUTDOWN_GRACE_MS to finish, then they
   * are stopped (what the model produced is stored) and the event log is flushed.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.drainingSince = Date.now();
    const busy = this.queue.busySessions;
    if (busy > 0) this.logger.log(`shutting down: waiting up to ${this.config.lifecycle.shutdownGraceMs} ms for ${busy} session(s) with turns`);
    const grace = new AbortController();
    await Promise.race([this.queue.drain(), sleep(this.config.lifecycle.shutdownGraceMs, undefined, { signal: grace.signal }).catch(() => undefined)]);
    grace.abort();
    this.queue.stopAll('shutdown');
    await this.queue.drain();
    await this.log.flush();
  }

  /**
   * Runs a frame's job holding the session's run lease, so that frames of one session run one at a time
   * across instances (the in-process lease is always granted). A turn left by an instance that died is
   * closed first; what the job numbered is written before the lease is released.
   */
  private async leased(sessionId: string, signal: AbortSignal, deliver: (frame: ServerFrame) => void, job: () => Promise<void>): Promise<void> {
    let held: HeldLease;
    try {
      held = await this.lease.acquire(sessionId, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      // Stopped while waiting for another instance's turn: nothing of it was numbered or stored.
      const stopped: CancelledFrame = { type: 'cancelled', content: '', is_final: true };
      deliver(stopReasonOf(signal) === 'deleted' ? errorFrame(`Session ${sessionId} was deleted`) : stopped);
      return;
    }
    try {
      if (held.orphaned) await this.orphanedTurns.close(sessionId);
      await job();
    } finally {
      if (this.lease.shared) await this.log.flush();
      await held.release(await this.log.lastSeq(sessionId).catch(() => -1));
    }
  }

  private async execute(command: RuntimeCommand, queueSignal: AbortSignal, deliver: (frame: ServerFrame) => void): Promise<void> {
    const { sessionId, frame } = command;
    // Stopped by the queue (cancel, shutdown, deletion) or by the caller (a gRPC client cancelling).
    const signal = command.signal ? AbortSignal.any([queueSignal, command.signal]) : queueSignal;
    if (command.signal?.aborted) return;
    if (this.draining) {
      deliver(errorFrame('The service is shutting down; send this again once it is back'));
      return;
    }
    try {
      if (stopReasonOf(signal) === 'deleted' && signal.aborted) throw sessionNotFound(sessionId);
      if (frame.type === 'user_message' || frame.type === 'switch_agent') {
        await this.sessions.ensure(sessionId, command.owner);
      } else if (!(await this.sessions.isVisible(sessionId, command.owner))) {
        deliver(errorFrame(`Session ${sessionId} not found`));
        return;
      }
      await this.log.prepare(sessionId);
    } catch (error) {
      deliver(errorFrame(this.describe(sessionId, error)));
      return;
    }
    // The reply is a view of the session's stream: the frames this turn numbers, up to its final one.
    let view: Subscription | undefined;
    let viewEnded: Promise<void> = Promise.resolve();
    try {
      const firstSeq = (await this.log.lastSeq(sessionId)) + 1;
      viewEnded = new Promise<void>((resolve) => {
        view = this.stream.turn(sessionId, firstSeq).subscribe({
          next: deliver,
          complete: resolve,
          error: (error: unknown) => {
            deliver(errorFrame(this.describe(sessionId, error)));
            resolve();
          },
        });
      });
    } catch (error) {
      this.log.release(sessionId);
      deliver(errorFrame(this.describe(sessionId, error)));
      return;
    }
    let finalSent = false;
    let finalNumbered = false;
    const stopTimer = this.metrics.turnDuration.startTimer();
    const ctx: TurnContext = {
      sessionId,
      signal,
      offerTools: command.offerTools ?? true,
      emit: (out) => {
        if (finalSent) {
          this.logger.error(`session=${sessionId} dropped a frame after the final one: ${out.type}`);
          return;
        }
        finalSent = out.is_final;
        if (finalSent) {
          const outcome = outcomeOf(out);
          stopTimer({ outcome });
          this.metrics.turns.inc({ agent: ctx.agent ?? 'none', outcome });
        }
        // Nothing of a deleted session is numbered, kept or fanned out: only the caller hears of it.
        if (signal.aborted && stopReasonOf(signal) === 'deleted') {
          deliver(out);
          return;
        }
        this.stream.publish(sessionId, out);
        finalNumbered = out.is_final;
      },
    };
    try {
      if (command.announceSession) ctx.emit(sessionInfoFrame(sessionId));
      // Cancelled while it waited in the queue (or while the session was being prepared): it never starts.
      if (signal.aborted) throw new TurnAborted('', 'orchestrator');
      await this.dispatch(ctx, frame);
    } catch (error) {
      if (signal.aborted) {
        ctx.emit(await this.stopped(sessionId, signal, error));
      } else {
        ctx.emit(errorFrame(this.describe(sessionId, error)));
      }
    } finally {
      try {
        if (!finalSent) ctx.emit(errorFrame('The turn ended without an answer'));
        // The caller has its reply once the view delivered the final frame (a shared fan-out may lag).
        if (finalNumbered) await viewEnded;
      } finally {
        view?.unsubscribe();
        this.log.release(sessionId);
      }
    }
  }

  private dispatch(ctx: TurnContext, frame: TurnFrame): Promise<void> {
    switch (frame.type) {
      case 'user_message':
        return this.turns.userMessage(ctx, frame);
      case 'tool_result':
        return this.turns.toolResult(ctx, frame);
      case 'hitl_decision':
        return this.turns.hitlDecision(ctx, frame);
      case 'switch_agent':
        return this.turns.switchAgent(ctx, frame);
    }
  }

  /** A stopped turn keeps what the model had produced (unless its session was deleted). */
  private async stopped(sessionId: string, signal: AbortSignal, error: unknown): Promise<ServerFrame> {
    if (stopReasonOf(signal) === 'deleted') {
      this.logger.log(`session=${sessionId} turn stopped: the session was deleted`);
      return errorFrame(`Session ${sessionId} was deleted`);
    }
    const partial = error instanceof TurnAborted ? error.partialText : '';
    if (error instanceof TurnAborted && partial.length > 0) {
      await this.store
        .commit(sessionId, { messages: [{ role: 'assistant', content: partial, agent: error.agent }] })
        .catch((e: Error) => this.logger.error(`session=${sessionId} could not store the partial answer: ${e.message}`));
    }
    this.logger.log(`session=${sessionId} turn stopped (${partial.length} chars kept)`);
    const cancelled: CancelledFrame = { type: 'cancelled', content: partial, is_final: true };
    return cancelled;
  }

  /** Drops everything held of a deleted session, then tells the transports. */
  private forget(sessionId: string): void {
    try {
      this.queue.stop(sessionId, 'deleted');
      this.log.forget(sessionId);
      this.fanout.end(sessionId);
      this.deletedIds.next(sessionId);
    } catch (error) {
      this.logger.error(`session=${sessionId} could not drop what was held of the deleted session: ${(error as Error).message}`);
    }
  }

  private describe(sessionId: string, error: unknown): string {
    if (error instanceof DomainError) return error.message;
    const correlationId = randomUUID();
    const err = error instanceof Error ? error : new Error(String(error));
    this.logger.error(`session=${sessionId} turn failed (correlation_id=${correlationId}): ${err.message}`, err.stack);
    return `Internal error (correlation_id=${correlationId})`;
  }
}

/** How a reply ended, from its final frame. */
function outcomeOf(frame: ServerFrame): TurnOutcome {
  switch (frame.type) {
    case 'assistant_message':
      return 'completed';
    case 'tool_call':
      return 'tool_call';
    case 'agent_switched':
      return 'switched';
    case 'cancelled':
      return 'cancelled';
    default:
      return 'error';
  }
}
