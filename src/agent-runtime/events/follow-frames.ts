import { Observable } from 'rxjs';
import type { SequencedFrame } from './session-event-log';

export interface FollowOptions {
  /** A gap the log cannot fill yet (another instance has not written the frames) is retried after this long… */
  readonly retryMs: number;
  /** …until this long has passed; then the stream fails (the client resumes with `last_seq`). */
  readonly giveUpMs: number;
}

const DEFAULTS: FollowOptions = { retryMs: 50, giveUpMs: 5_000 };

/** Where followed frames go. An rxjs Subscriber is one; so is a protocol-2 socket's relay. */
export interface FrameSink {
  next(frame: SequencedFrame): void;
  error(error: unknown): void;
  complete(): void;
}

/** What a follower reads: the session's log, and its live frames (a fan-out). */
export interface FollowSources {
  readonly log: { readAfter(sessionId: string, afterSeq: number): Promise<SequencedFrame[]> };
  readonly live: {
    listen(sessionId: string, listener: FrameSink): void;
    unlisten(sessionId: string, listener: FrameSink): void;
  };
}

/**
 * Every frame with `seq > afterSeq` from the log, then live frames, with no gap and no repeat. A live
 * frame that arrives ahead of the next expected seq (a frame was missed: another instance published it
 * before this one listened, or Redis dropped it while reconnecting) is held back until the frames before
 * it were read from the log. Frames the log itself no longer has (retention) are not waited for.
 *
 * One object per follower, listening to the live frames itself, with its state in fields rather than in
 * closures and without an Observable: a protocol-2 socket holds one for its whole life.
 */
export class FrameFollower implements FrameSink {
  private held: SequencedFrame[] = [];
  private reading = false;
  private gapSince: number | undefined;
  private retry: NodeJS.Timeout | undefined;
  private ended = false;
  private stopped = false;

  constructor(
    private readonly sessionId: string,
    private readonly sources: FollowSources,
    private readonly sink: FrameSink,
    private last: number,
    private readonly options: FollowOptions = DEFAULTS,
  ) {}

  /** Listens to the live frames, then replays the log after `afterSeq`. */
  start(): void {
    this.sources.live.listen(this.sessionId, this);
    this.read(true);
  }

  /** Nothing more reaches the sink. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.sources.live.unlisten(this.sessionId, this);
  }

  /** A live frame. */
  next(frame: SequencedFrame): void {
    if (this.stopped || frame.seq <= this.last) return;
    if (frame.seq === this.last + 1 && this.held.length === 0 && !this.reading) {
      this.forward(frame); // the common case: the next frame, nothing held back
      return;
    }
    this.held.push(frame);
    this.pump();
  }

  /** The live frames failed. */
  error(error: unknown): void {
    if (this.stopped) return;
    this.stop();
    this.sink.error(error);
  }

  /** The live frames ended (the session was deleted): what was read or held still goes out, then complete. */
  complete(): void {
    this.ended = true;
    if (!this.reading) this.finish();
  }

  private forward(frame: SequencedFrame): void {
    if (this.stopped || frame.seq <= this.last) return;
    this.last = frame.seq;
    this.sink.next(frame);
  }

  private finish(): void {
    if (this.stopped) return;
    this.held.sort((x, y) => x.seq - y.seq).forEach((frame) => this.forward(frame));
    this.stop();
    this.sink.complete();
  }

  /** Forwards held frames while they continue the stream; reads the log when one is ahead. */
  private pump(): void {
    if (this.reading || this.stopped) return;
    if (this.ended) {
      this.finish();
      return;
    }
    this.held = this.held.filter((f) => f.seq > this.last).sort((x, y) => x.seq - y.seq);
    while (this.held[0]?.seq === this.last + 1) this.forward(this.held.shift() as SequencedFrame);
    const held = (this.held = this.held.filter((f) => f.seq > this.last));
    if (held.length === 0) {
      this.gapSince = undefined;
      return;
    }
    if (this.gapSince === undefined) {
      this.gapSince = Date.now();
      this.read(false);
      return;
    }
    if (Date.now() - this.gapSince > this.options.giveUpMs) {
      this.error(new Error(`frames ${this.last + 1}–${(held[0]?.seq ?? this.last) - 1} could not be read`));
      return;
    }
    this.retry ??= setTimeout(() => {
      this.retry = undefined;
      this.read(false);
    }, this.options.retryMs);
  }

  private read(replay: boolean): void {
    this.reading = true;
    this.sources.log.readAfter(this.sessionId, this.last).then(
      (frames) => {
        this.reading = false;
        // The replay forwards whatever the log has (retention may have dropped the oldest frames); a
        // gap fill only what continues the stream.
        for (const frame of frames) if (replay || frame.seq === this.last + 1) this.forward(frame);
        this.pump();
      },
      (error: unknown) => this.error(error),
    );
  }
}

/** {@link FrameFollower} as an Observable, over a live Observable and a read function of one session. */
export function followFrames(
  live: Observable<SequencedFrame>,
  readAfter: (afterSeq: number) => Promise<SequencedFrame[]>,
  afterSeq: number,
  options: FollowOptions = DEFAULTS,
): Observable<SequencedFrame> {
  return new Observable<SequencedFrame>((subscriber) => {
    let listening: { unsubscribe(): void } | undefined;
    const sources: FollowSources = {
      log: { readAfter: (_sessionId, after) => readAfter(after) },
      live: {
        listen: (_sessionId, listener) => (listening = live.subscribe(listener)),
        unlisten: () => listening?.unsubscribe(),
      },
    };
    const follower = new FrameFollower('', sources, subscriber, afterSeq, options);
    follower.start();
    return () => follower.stop();
  });
}
