import { Subject } from 'rxjs';
import { assistantDeltaFrame } from '../../protocol/frame-builders';
import { followFrames } from './follow-frames';
import type { SequencedFrame } from './session-event-log';

const frame = (seq: number): SequencedFrame => ({ ...assistantDeltaFrame(`t${seq}`), seq });
const range = (from: number, to: number): SequencedFrame[] => Array.from({ length: to - from + 1 }, (_, i) => frame(from + i));

describe(followFrames.name, () => {
  it('replays the log, then live frames, without repeating the ones both have', async () => {
    const live = new Subject<SequencedFrame>();
    let release: (frames: SequencedFrame[]) => void = () => undefined;
    const seen: number[] = [];
    followFrames(live, () => new Promise((resolve) => (release = resolve)), 2).subscribe((f) => seen.push(f.seq));
    live.next(frame(5));
    live.next(frame(6));
    release(range(3, 5));
    await new Promise((r) => setImmediate(r));
    live.next(frame(7));
    expect(seen).toEqual([3, 4, 5, 6, 7]);
  });

  it('fills a gap in the live frames from the log before going on', async () => {
    const live = new Subject<SequencedFrame>();
    const log = range(1, 9);
    const reads: number[] = [];
    const seen: number[] = [];
    followFrames(live, (after) => {
      reads.push(after);
      return Promise.resolve(log.filter((f) => f.seq > after && f.seq <= (reads.length === 1 ? 3 : 9)));
    }, 0).subscribe((f) => seen.push(f.seq));
    await new Promise((r) => setImmediate(r));
    live.next(frame(4));
    live.next(frame(8)); // 5–7 were missed
    live.next(frame(9));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(reads).toEqual([0, 4]);
  });

  it('waits for frames the log does not have yet, and fails once it gave up', async () => {
    const live = new Subject<SequencedFrame>();
    let logged = range(1, 1);
    const seen: number[] = [];
    let failure: Error | undefined;
    followFrames(live, (after) => Promise.resolve(logged.filter((f) => f.seq > after)), 0, { retryMs: 5, giveUpMs: 200 }).subscribe({
      next: (f) => seen.push(f.seq),
      error: (e: Error) => (failure = e),
    });
    live.next(frame(3));
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([1]);
    logged = range(1, 3);
    await new Promise((r) => setTimeout(r, 30));
    expect(seen).toEqual([1, 2, 3]);
    live.next(frame(6));
    await new Promise((r) => setTimeout(r, 300));
    expect(failure?.message).toContain('frames 4–5 could not be read');
    expect(seen).toEqual([1, 2, 3]);
  });

  it('replays what the log kept when retention dropped older frames', async () => {
    const live = new Subject<SequencedFrame>();
    const seen: number[] = [];
    followFrames(live, () => Promise.resolve(range(50, 52)), 0).subscribe((f) => seen.push(f.seq));
    await new Promise((r) => setImmediate(r));
    live.next(frame(53));
    expect(seen).toEqual([50, 51, 52, 53]);
  });

  it('completes when the live stream ends, after what the log and the live stream had delivered', async () => {
    const live = new Subject<SequencedFrame>();
    let release: (frames: SequencedFrame[]) => void = () => undefined;
    const seen: number[] = [];
    let completed = false;
    followFrames(live, () => new Promise((resolve) => (release = resolve)), 0).subscribe({
      next: (f) => seen.push(f.seq),
      complete: () => (completed = true),
    });
    live.next(frame(2));
    live.complete();
    expect(completed).toBe(false);
    release(range(1, 1));
    await new Promise((r) => setImmediate(r));
    expect(seen).toEqual([1, 2]);
    expect(completed).toBe(true);
  });
});
