import type { SequencedFrame } from '../agent-runtime/events/session-event-log';

/**
 * A numbered frame as another instance wrote it to Redis: the frame's JSON text. Anything that is not
 * an object with a string `type`, a positive integer `seq` and a boolean `is_final` is refused (null).
 */
export function parseSequencedFrame(text: string): SequencedFrame | null {
  return asSequencedFrame(parseJson(text));
}

/** A JSON array of numbered frames (one message of the fan-out); null when any element is not one. */
export function parseSequencedFrames(text: string): SequencedFrame[] | null {
  const value = parseJson(text);
  if (!Array.isArray(value)) return null;
  const frames = value.map(asSequencedFrame);
  return frames.every((f): f is SequencedFrame => f !== null) ? frames : null;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function asSequencedFrame(value: unknown): SequencedFrame | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const ok = typeof o.type === 'string' && Number.isSafeInteger(o.seq) && (o.seq as number) > 0 && typeof o.is_final === 'boolean';
  return ok ? (value as SequencedFrame) : null;
}
