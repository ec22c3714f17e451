import { ConsoleLogger, LogLevel } from '@nestjs/common';
import type { LogFormat } from '../../config/app-config';
import { currentLogContext } from './log-context';
import { redactSecrets } from './redact';

const SESSION_IN_TEXT = /\bsession=([A-Za-z0-9._:-]{1,128})/;
const USER_IN_TEXT = /\buser=([^\s,;)]{1,128})/;

/**
 * The service's logger: Nest's ConsoleLogger (so every `new Logger(Context)` in the code base and Nest's
 * own lines go through it), in text or, with LOG_FORMAT=json, one JSON object per line:
 * `{"level","time","message","context","request_id","session","user",…}`. The request id, session and
 * user come from the {@link LogContext} of the request or frame being handled, or from the
 * `session=`/`user=` words of the message. Every line passes through {@link redactSecrets}.
 */
export class AppLogger extends ConsoleLogger {
  constructor(format: LogFormat, logLevels: LogLevel[]) {
    super({ json: format === 'json', logLevels, ...(format === 'json' ? { colors: false, compact: true } : {}) });
  }

  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    const clean = messages.map((m) => (typeof m === 'string' ? redactSecrets(m) : m));
    const stack = typeof errorStack === 'string' ? redactSecrets(errorStack) : errorStack;
    super.printMessages(clean, context, logLevel, writeStreamType, stack);
  }

  // Nest calls this for every error line, also when there is no stack (`logger.error(message)`).
  protected override printStackTrace(stack: string | undefined): void {
    if (!stack) return;
    super.printStackTrace(redactSecrets(stack));
  }

  protected override getJsonLogObject(
    message: unknown,
    options: { context: string; logLevel: LogLevel; writeStreamType?: 'stdout' | 'stderr'; errorStack?: unknown },
  ): ReturnType<ConsoleLogger['getJsonLogObject']> & Record<string, unknown> {
    const base = super.getJsonLogObject(message, options);
    const text = typeof message === 'string' ? message : '';
    const scope = currentLogContext();
    const session = scope?.sessionId ?? SESSION_IN_TEXT.exec(text)?.[1];
    const user = scope?.userId ?? USER_IN_TEXT.exec(text)?.[1];
    return {
      ...base,
      time: new Date(base.timestamp).toISOString(),
      message: typeof message === 'string' ? message : redactObject(message),
      ...(scope?.requestId ? { request_id: scope.requestId } : {}),
      ...(session ? { session } : {}),
      ...(user ? { user } : {}),
    };
  }
}

function redactObject(value: unknown): unknown {
  try {
    return JSON.parse(redactSecrets(JSON.stringify(value))) as unknown;
  } catch {
    return '[unserializable]';
  }
}
