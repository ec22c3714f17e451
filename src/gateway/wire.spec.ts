import { assistantDeltaFrame, assistantFinalFrame, sessionInfoFrame } from '../protocol/frame-builders';
import { errorFrame } from '../protocol/server-frames';
import { toWire } from './wire';

describe(toWire.name, () => {
  it('gives compat sockets exactly the §2.3 frames', () => {
    expect(toWire({ ...assistantDeltaFrame('tok'), seq: 3 }, 1)).toBeNull();
    expect(toWire({ type: 'status', state: 'idle', current_agent: 'coder', last_seq: 1, is_final: false }, 1)).toBeNull();
    expect(toWire({ ...assistantFinalFrame('all'), seq: 4 }, 1)).toEqual({
      type: 'assistant_message',
      content: 'all',
      token: 'all',
      is_final: true,
    });
    expect(toWire({ ...sessionInfoFrame('s'), seq: 1 }, 1)).toEqual(sessionInfoFrame('s'));
    expect(toWire({ type: 'cancelled', content: 'part', is_final: true, seq: 9 }, 1)).toEqual(
      errorFrame('The turn was stopped before it finished'),
    );
  });

  it('gives protocol 2 everything, with an empty token on the final text', () => {
    expect(toWire({ ...assistantDeltaFrame('tok'), seq: 3 }, 2)).toEqual({ ...assistantDeltaFrame('tok'), seq: 3 });
    expect(toWire({ ...assistantFinalFrame('all'), seq: 4 }, 2)).toEqual({
      type: 'assistant_message',
      content: 'all',
      token: '',
      is_final: true,
      seq: 4,
    });
  });
});
