import { expect } from '@jest/globals';
import { assistantDeltaFrame } from '../../protocol/frame-builders';
import { InProcessSessionFanout } from './in-process-session-fanout';
import type { SequencedFrame } from './session-event-log';
import type { FrameListener } from './session-fanout';

const frame = (seq: number): SequencedFrame => ({ ...assistantDeltaFrame(`t${seq}`), seq });

/** Records what it receives; `onNext` runs inside delivery. */
class Recorder implements FrameListener {
  readonly seen: number[] = [];
  completed = false;
  onNext: () => void = () => undefined;
  next(f: SequencedFrame): void {
    this.seen.push(f.seq);
    this.onNext();
  }
  complete(): void {
    this.completed = true;
  }
}

describe(InProcessSessionFanout.name, () => {
  it("delivers a session's frames to its listeners only, until each stops listening", () => {
    const sut = new InProcessSessionFanout();
    const [a, b, other] = [new Recorder(), new Recorder(), new Recorder()];
    sut.listen('s', a);
    sut.listen('s', b);
    sut.listen('t', other);
    sut.publish('s', frame(1));
    expect(sut.unlisten('s', a)).toBe(true);
    expect(sut.unlisten('s', a)).toBe(false);
    sut.publish('s', frame(2));
    expect([a.seen, b.seen, other.seen]).toEqual([[1], [1, 2], []]);
  });

  it('a frame goes to the listeners of the moment it was published, whoever starts or stops during its delivery', () => {
    const sut = new InProcessSessionFanout();
    const [first, second, late] = [new Recorder(), new Recorder(), new Recorder()];
    first.onNext = () => {
      sut.unlisten('s', second);
      sut.listen('s', late);
    };
    sut.listen('s', first);
    sut.listen('s', second);
    sut.publish('s', frame(1));
    first.onNext = () => undefined;
    sut.publish('s', frame(2));
    expect([first.seen, second.seen, late.seen]).toEqual([[1, 2], [1], [2]]);
  });

  it('end completes every listener of the session and forgets them; a later listener starts afresh', () => {
    const sut = new InProcessSessionFanout();
    const [gone, kept] = [new Recorder(), new Recorder()];
    sut.listen('s', gone);
    sut.listen('t', kept);
    sut.end('s');
    expect([gone.completed, kept.completed]).toEqual([true, false]);
    expect(sut.unlisten('s', gone)).toBe(false);
    const next = new Recorder();
    sut.listen('s', next);
    sut.publish('s', frame(1));
    expect([gone.seen, next.seen]).toEqual([[], [1]]);
  });

  it('watch is the same delivery as an Observable', () => {
    const sut = new InProcessSessionFanout();
    const seen: number[] = [];
    let completed = false;
    const subscription = sut.watch('s').subscribe({ next: (f) => seen.push(f.seq), complete: () => (completed = true) });
    sut.publish('s', frame(1));
    subscription.unsubscribe();
    sut.publish('s', frame(2));
    const again = sut.watch('s').subscribe({ complete: () => (completed = true) });
    sut.end('s');
    expect([seen, completed, again.closed]).toEqual([[1], true, true]);
  });
});
