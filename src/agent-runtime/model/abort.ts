import { APIUserAbortError } from 'openai';

/**
 * True when `err` means "the operation was cancelled", whoever raised it:
 * - a DOM-style `AbortError` (`DOMException` from `fetch`/`AbortSignal`/`timers/promises`, or ours from
 *   {@link createAbortError}); anything whose `name` is `'AbortError'` counts;
 * - the openai SDK's `APIUserAbortError` (its `name` is plain `'Error'`, so it needs its own check).
 */
export function isAbortError(err: unknown): boolean {
  if (err instanceof APIUserAbortError) return true;
  return typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError';
}

/** The error a model call throws when its caller's `AbortSignal` fires: a `DOMException` named `AbortError`. */
export function createAbortError(message = 'The model request was aborted'): DOMException {
  return new DOMException(message, 'AbortError');
}
