import type { ServerFrame } from '../protocol/server-frames';
import { errorFrame } from '../protocol/server-frames';

/**
 * What a socket of the given protocol receives for a runtime frame. Compat clients draw every frame
 * as a bubble, so they get only the §2.3 frames: no token deltas, no status, and a stopped turn ends
 * with an `error` instead of `cancelled`. Returns null for frames the socket must not see.
 */
export function toWire(frame: ServerFrame, protocol: 1 | 2): ServerFrame | null {
  if (protocol === 2) return frame;
  switch (frame.type) {
    case 'assistant_message':
      return frame.is_final ? frame : null;
    case 'status':
      return null;
    case 'cancelled':
      return { ...errorFrame('The turn was stopped before it finished'), ...(frame.seq !== undefined ? { seq: frame.seq } : {}) };
    default:
      return frame;
  }
}
