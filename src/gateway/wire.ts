import type { ServerFrame } from '../protocol/server-frames';
import { errorFrame } from '../protocol/server-frames';

/**
 * What a socket of the given protocol receives for a runtime frame. Compat clients draw every frame
 * as a bubble, so they get exactly the §2.3 frames: no token deltas, no status, no `seq`, and a
 * stopped turn ends with an `error` instead of `cancelled`. Returns null for frames they must not see.
 * Protocol 2 gets everything.
 */
export function toWire(frame: ServerFrame, protocol: 1 | 2): ServerFrame | null {
  // Protocol 2 gets the frames as the runtime made them (the final text has an empty `token`).
  if (protocol === 2) return frame;
  switch (frame.type) {
    case 'assistant_message':
      // Compat clients read the whole text from the final frame, in both `content` and `token`.
      return frame.is_final ? { ...withoutSeq(frame), token: frame.content ?? '' } : null;
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
