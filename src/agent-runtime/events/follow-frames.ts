import { Observable } from 'rxjs';
import type { SequencedFrame } from './session-event-log';

export interface FollowOptions {
  /** A gap the log cannot fill yet (another instance has not written the frames) is retried after this long… */
  readonly retryMs: number;
  /** …until this long has passed; then the stream fails (the client resumes with `last_seq`). */
  readonly giveUpMs: number;
}

const DEFAULTS: FollowOptions = { retryMs: 50, giveUpMs: 5_000 };

/**
 * Every frame with `seq > afterSeq` from the log, then live frames, with no gap and no repeat. A live
 * frame that arrives ahead of the next expected seq (a frame was missed: another instance published it
 * before this one listened, or Redis dropped it while reconnecting) is held back until the frames before
 * it were read from the log. Frames the log itself no longer has (retention) are not waited for.
 */
export function followFrames(
  live: Observable<SequencedFrame>,
  readAfter: (afterSeq: number) => Promise<SequencedFrame[]>,
  afterSeq: number,
  options: FollowOptions = DEFAULTS,
): Observable<SequencedFrame> {
  return new Observable<SequencedFrame>((subscriber) => {
    let last = afterSeq;
    let held: SequencedFrame[] = [];
    let reading = false;
    let gapSince: number | undefined;
    let retry: NodeJS.Timeout | undefined;
    let ended = false;

    const forward = (frame: SequencedFrame): void => {
      if (frame.seq <= last) return;
      last = frame.seq;
      subscriber.next(frame);
    };
    /** The live stream ended (the session was deleted): what was read or held still goes out, then complete. */
    const finish = (): void => {
      if (retry) clearTimeout(retry);
      held.sort((x, y) => x.seq - y.seq).forEach(forward);
      subscriber.complete();
    };
    /** Forwards held frames while they continue the stream; reads the log when one is ahead. */
    const pump = (): void => {
      if (reading || subscriber.closed) return;
      if (ended) {
        finish();
        return;
      }
      held = held.filter((f) => f.seq > last).sort((x, y) => x.seq - y.seq);
      while (held[0]?.seq === last + 1) forward(held.shift() as SequencedFrame);
      held = held.filter((f) => f.seq > last);
      if (held.length === 0) {
        gapSince = undefined;
        return;
      }
      if (gapSince === undefined) {
        gapSince = Date.now();
        read(false);
        return;
      }
      if (Date.now() - gapSince > options.giveUpMs) {
        subscriber.error(new Error(`frames ${last + 1}–${(held[0]?.seq ?? last) - 1} could not be read`));
        return;
      }
      retry ??= setTimeout(() => {
        retry = undefined;
        read(false);
      }, options.retryMs);
    };
    const read = (replay: boolean): void => {
      reading = true;
      readAfter(last).then(
        (frames) => {
          reading = false;
          // The replay forwards whatever the log has (retention may have dropped the oldest frames); a
          // gap fill only what continues the stream.
          for (const frame of frames) if (replay || frame.seq === last + 1) forward(frame);
          pump();
        },
        (error: unknown) => subscriber.error(error),
      );
    };
    const subscription = live.subscribe({
      next: (frame) => {
        if (frame.seq <= last) return;
        if (frame.seq === last + 1 && held.length === 0 && !reading) {
          forward(frame); // the common case: the next frame, nothing held back
          return;
        }
        held.push(frame);
        pump();
      },
      error: (error: unknown) => subscriber.error(error),
      complete: () => {
        ended = true;
        if (!reading) finish();
      },
    });
    read(true);
    return () => {
      subscription.unsubscribe();
      if (retry) clearTimeout(retry);
    };
  });
}
