import type { ServerFrame } from './server-frames';

let lastFrame: ServerFrame | undefined;
let lastJson = '';

/**
 * The JSON text of a frame. A numbered frame is serialized by the event log and then, in the same
 * synchronous publish, by every socket that relays it: the last frame's text is kept and reused for
 * those calls. (A WeakMap of every frame's text cost more in garbage collection than it saved.)
 */
export function frameJson(frame: ServerFrame): string {
  if (frame !== lastFrame) {
    lastJson = JSON.stringify(frame);
    lastFrame = frame;
  }
  return lastJson;
}
