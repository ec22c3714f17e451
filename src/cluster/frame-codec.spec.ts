import { parseSequencedFrame, parseSequencedFrames } from './frame-codec';

describe('frame codec (frames other instances wrote to Redis)', () => {
  const ok = { type: 'assistant_message', token: 'x', is_final: false, seq: 3 };

  it('reads numbered frames and arrays of them', () => {
    expect(parseSequencedFrame(JSON.stringify(ok))).toEqual(ok);
    expect(parseSequencedFrames(JSON.stringify([ok, { ...ok, seq: 4 }]))?.map((f) => f.seq)).toEqual([3, 4]);
  });

  it.each([
    ['not json', '{'],
    ['an array', '[]'],
    ['no seq', JSON.stringify({ ...ok, seq: undefined })],
    ['seq 0', JSON.stringify({ ...ok, seq: 0 })],
    ['fractional seq', JSON.stringify({ ...ok, seq: 1.5 })],
    ['no type', JSON.stringify({ ...ok, type: 7 })],
    ['no is_final', JSON.stringify({ ...ok, is_final: 'yes' })],
  ])('refuses %s', (_, text) => {
    expect(parseSequencedFrame(text)).toBeNull();
  });

  it('refuses a batch with one bad frame in it, or that is not an array', () => {
    expect(parseSequencedFrames(JSON.stringify([ok, { type: 'x' }]))).toBeNull();
    expect(parseSequencedFrames(JSON.stringify(ok))).toBeNull();
  });
});
