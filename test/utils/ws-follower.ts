import { Frame, TestSocket } from './ws-client';

/**
 * Reads everything a (protocol-2) test socket receives, as it arrives, until the socket closes; for
 * tests that let many frames fly and check the streams afterwards.
 */
export class Follower {
  readonly frames: Frame[] = [];
  readonly done: Promise<void>;

  constructor(readonly socket: TestSocket) {
    this.done = (async () => {
      for (;;) {
        try {
          this.frames.push(await socket.next(120_000));
        } catch {
          return;
        }
      }
    })();
  }

  /** The highest `seq` received (0 when none). */
  get lastSeq(): number {
    return this.frames.reduce((max, f) => (typeof f['seq'] === 'number' ? Math.max(max, f['seq']) : max), 0);
  }

  get finals(): number {
    return this.frames.filter((f) => f['is_final'] === true).length;
  }

  /** Frames of the session's stream (with `seq`), in arrival order. */
  sequenced(): Frame[] {
    return this.frames.filter((f) => typeof f['seq'] === 'number');
  }

  /** Frames only this socket got (without `seq`): the greeting and errors about its own frames. */
  unsequenced(): Frame[] {
    return this.frames.filter((f) => typeof f['seq'] !== 'number');
  }
}
