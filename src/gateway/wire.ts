import type { ServerFrame } from '../protocol/server-frames';
import { errorFrame } from '../protocol/server-frames';

/**
 * What a socket of the given protocol receives for a runtime frame. Compat clients draw every frame
 * as a bubble, so they get exactly the §2.3 frames: no token deltas, no status, no `seq`, and a
 * stopped turn ends with an `error` instead of `cancelled`. Returns null for frames they must not see.
 * Protocol 2 gets everything.
 */
export function toWire(frame: ServerFrame, protocol: 1 | 2): ServerFrame | null {
  if (protocol === 2) {
    // Protocol 2 streamed the text already: the final frame carries it whole in `content`, `token` is empty.
    return frame.type === 'assistant_message' && frame.is_final ? { ...frame, token: '' } : frame;
  }
  switch (frame.type) {
    case 'assistant_message':
      return frame.is_final ? withoutSeq(frame) : null;
    case 'status':
      return null;
    case 'cancelled':
      return errorFrame('The turn was stopped before it finished');
    default:
      return withoutSeq(frame);
  }
}

function withoutSeq<T extends ServerFrame>(frame: T): T {
  if (frame.seq === undefined) return frame;
  const { seq: _seq, ...rest } = frame;
  return rest as T;
}
