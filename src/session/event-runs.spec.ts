import { FrameText, framesOfRows, MAX_RUN, toRuns } from './event-runs';

const at = 1_000;
const frame = (incarnation: string, seq: number, token = `t${seq}`): FrameText => ({
  incarnation,
  seq,
  json: JSON.stringify({ type: 'assistant_message', token, is_final: false, seq }),
  createdAt: at,
});
const seqsAndTokens = (rows: ReturnType<typeof framesOfRows>) =>
  rows.map((r) => [r.seq, (JSON.parse(r.frame) as { token: string; seq: number }).token] as const);

describe('event runs', () => {
  it('packs each stream’s consecutive frames into one row keyed by the last seq', () => {
    const frames = [frame('a', 1), frame('b', 7), frame('a', 2), frame('b', 8), frame('a', 3)];
    const runs = toRuns(frames);
    expect(runs.map((r) => [r.row.incarnation, r.row.seq, r.frames.length])).toEqual([
      ['a', 3, 3],
      ['b', 8, 2],
    ]);
    expect(seqsAndTokens(framesOfRows([runs[0]!.row], 0))).toEqual([
      [1, 't1'],
      [2, 't2'],
      [3, 't3'],
    ]);
  });

  it('starts a new row at a gap in the seqs and after MAX_RUN frames', () => {
    const gap = toRuns([frame('a', 1), frame('a', 2), frame('a', 5), frame('a', 6)]);
    expect(gap.map((r) => [r.row.seq, r.frames.length])).toEqual([
      [2, 2],
      [6, 2],
    ]);
    const long = toRuns(Array.from({ length: MAX_RUN + 1 }, (_, i) => frame('a', i + 1)));
    expect(long.map((r) => [r.row.seq, r.frames.length])).toEqual([
      [MAX_RUN, MAX_RUN],
      [MAX_RUN + 1, 1],
    ]);
  });

  it('reads only the frames after the asked seq, from runs and from single-frame rows alike', () => {
    const single = toRuns([frame('a', 1)])[0]!.row;
    expect(single.frame).toBe(frame('a', 1).json);
    const run = toRuns([2, 3, 4, 5].map((seq) => frame('a', seq)))[0]!.row;
    expect(framesOfRows([single, run], 0).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(framesOfRows([run], 3).map((r) => r.seq)).toEqual([4, 5]);
    expect(framesOfRows([run], 5)).toEqual([]);
  });

  it('keeps text with line breaks intact (JSON escapes them)', () => {
    const run = toRuns([frame('a', 1, 'line one\nline two\r\n'), frame('a', 2, '\n')])[0]!.row;
    expect(seqsAndTokens(framesOfRows([run], 0))).toEqual([
      [1, 'line one\nline two\r\n'],
      [2, '\n'],
    ]);
  });

  it('reads a frame stored twice (single rows of a takeover, then the same frames inside a later run) once', () => {
    const singles = toRuns([frame('a', 2)]).concat(toRuns([frame('a', 3)]));
    const [run] = toRuns([2, 3, 4].map((seq) => frame('a', seq)));
    const rows = [...singles.map((r) => r.row), run!.row];
    expect(framesOfRows(rows, 0).map((r) => r.seq)).toEqual([2, 3, 4]);
    expect(framesOfRows(rows, 2).map((r) => r.seq)).toEqual([3, 4]);
  });
});
