import { expect } from '@jest/globals';
import { lastValueFrom, toArray } from 'rxjs';
import { DelayedFanout, LateFanout } from '../../../test/utils/delayed-fanout';
import { MemoryEventLog } from '../../../test/utils/memory-event-log';
import { assistantDeltaFrame, assistantFinalFrame } from '../../protocol/frame-builders';
import { InProcessSessionFanout } from './in-process-session-fanout';
import type { SequencedFrame } from './session-event-log';
import { SessionStream } from './session-stream';

const seqs = (frames: readonly SequencedFrame[]) => frames.map((f) => f.seq);

describe(SessionStream.name, () => {
  it("a turn's reply is the session's numbered frames from its first one to its final one", async () => {
    const log = new MemoryEventLog();
    const sut = new SessionStream(log, new InProcessSessionFanout());
    sut.publish('s', assistantFinalFrame('an earlier turn'));
    const reply = lastValueFrom(sut.turn('s', 2).pipe(toArray()));
    sut.publish('s', assistantDeltaFrame('a'));
    sut.publish('other', assistantFinalFrame('another session'));
    sut.publish('s', assistantFinalFrame('a'));
    sut.publish('s', assistantDeltaFrame('the next turn'));
    const frames = await reply;
    expect(seqs(frames)).toEqual([2, 3]);
    expect(frames).toEqual(log.of('s').slice(1, 3));
  });

  it('works the same over a fan-out that delivers later', async () => {
    const sut = new SessionStream(new MemoryEventLog(), new DelayedFanout());
    const reply = lastValueFrom(sut.turn('s', 1).pipe(toArray()));
    sut.publish('s', assistantDeltaFrame('a'));
    sut.publish('s', assistantFinalFrame('a'));
    expect(seqs(await reply)).toEqual([1, 2]);
  });

  it('loses nothing over a fan-out that starts delivering late: the log fills the gap', async () => {
    const sut = new SessionStream(new MemoryEventLog(), new LateFanout());
    const reply = lastValueFrom(sut.turn('s', 1).pipe(toArray()));
    sut.publish('s', assistantDeltaFrame('lost by the fan-out'));
    await new Promise((resolve) => setTimeout(resolve, 40));
    sut.publish('s', assistantFinalFrame('a'));
    expect(seqs(await reply)).toEqual([1, 2]);
  });

  it("a turn's reply ends without a final frame when the session's stream ends (deletion)", async () => {
    const fanout = new InProcessSessionFanout();
    const sut = new SessionStream(new MemoryEventLog(), fanout);
    const reply = lastValueFrom(sut.turn('s', 1).pipe(toArray()));
    sut.publish('s', assistantDeltaFrame('a'));
    fanout.end('s');
    expect(seqs(await reply)).toEqual([1]);
  });

  it('a follower gets the replay after its last_seq, then live frames, with no gap and no repeat', async () => {
    const sut = new SessionStream(new MemoryEventLog(), new InProcessSessionFanout());
    for (let i = 0; i < 3; i++) sut.publish('s', assistantDeltaFrame(`t${i}`));
    const got: number[] = [];
    const following = sut.follow('s', 1).subscribe((f) => got.push(f.seq));
    sut.publish('s', assistantDeltaFrame('live, published while the replay loads'));
    await new Promise((resolve) => setImmediate(resolve));
    sut.publish('s', assistantFinalFrame('live'));
    following.unsubscribe();
    expect(got).toEqual([2, 3, 4, 5]);
  });

  it('followInto delivers what follow does, into a sink, until stopped; a deleted session completes it', async () => {
    const fanout = new InProcessSessionFanout();
    const sut = new SessionStream(new MemoryEventLog(), fanout);
    for (let i = 0; i < 3; i++) sut.publish('s', assistantDeltaFrame(`t${i}`));
    const got: number[] = [];
    const ends: string[] = [];
    const sink = { next: (f: SequencedFrame) => got.push(f.seq), error: () => ends.push('error'), complete: () => ends.push('complete') };
    const stopped = sut.followInto('s', 1, sink);
    const deleted = sut.followInto('s', 3, sink);
    sut.publish('s', assistantDeltaFrame('live, published while the replay loads'));
    await new Promise((resolve) => setImmediate(resolve));
    stopped.stop();
    sut.publish('s', assistantFinalFrame('only for the second'));
    fanout.end('s');
    sut.publish('s', assistantDeltaFrame('after the end'));
    expect(got).toEqual([2, 3, 4, 4, 5]);
    expect(ends).toEqual(['complete']);
    deleted.stop();
  });
});
