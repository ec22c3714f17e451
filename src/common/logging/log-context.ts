import { AsyncLocalStorage } from 'node:async_hooks';

/** What every log line written while handling one request or frame carries. Filled in as it becomes known. */
export interface LogContext {
  requestId?: string;
  sessionId?: string;
  userId?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `work` (and everything it starts) with `context`; the logger adds its fields to each line. */
export function runWithLogContext<T>(context: LogContext, work: () => T): T {
  return storage.run(context, work);
}

/** The context of the code running now (undefined outside a request or frame). */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
