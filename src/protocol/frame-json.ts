import type { ServerFrame } from './server-frames';

const serialized = new WeakMap<ServerFrame, string>();

/**
 * The JSON text of a frame, computed once per frame object: the event log and every socket that
 * relays the same frame share it instead of stringifying it again.
 */
export function frameJson(frame: ServerFrame): string {
  let json = serialized.get(frame);
  if (json === undefined) {
    json = JSON.stringify(frame);
    serialized.set(frame, json);
  }
  return json;
}
