import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { LogContext, runWithLogContext } from './log-context';

/** An incoming `x-request-id` is kept when it looks like an id (no spaces, quotes or control characters). */
const WELL_FORMED = /^[A-Za-z0-9._:-]{1,128}$/;
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Gives every HTTP request an id — the caller's `x-request-id` when well-formed, else a new UUID —,
 * echoes it in the response header and runs the rest of the request inside a log context carrying it,
 * so every log line of the request names it.
 */
export function requestIdMiddleware(request: Request, response: Response, next: NextFunction): void {
  const incoming = request.header(REQUEST_ID_HEADER);
  const requestId = incoming !== undefined && WELL_FORMED.test(incoming) ? incoming : randomUUID();
  response.setHeader(REQUEST_ID_HEADER, requestId);
  const context: LogContext = { requestId };
  contexts.set(request, context);
  runWithLogContext(context, next);
}

const contexts = new WeakMap<Request, LogContext>();

/**
 * Body parsers call `next` from stream events, outside the request's async context; mounted after
 * them, this enters the request's log context again for the guards and handlers.
 */
export function restoreLogContext(request: Request, _response: Response, next: NextFunction): void {
  const context = contexts.get(request);
  if (context) runWithLogContext(context, next);
  else next();
}
