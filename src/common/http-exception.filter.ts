import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, DomainErrorCode } from './domain.error';

const STATUS_BY_CODE: Record<DomainErrorCode, HttpStatus> = {
  [DomainErrorCode.SessionNotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.SessionExists]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidRequest]: HttpStatus.BAD_REQUEST,
  [DomainErrorCode.NotPending]: HttpStatus.CONFLICT,
  [DomainErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
};

/**
 * Every REST error leaves as `{statusCode, message, error}` with one string message. Unknown errors
 * become a 500 with a correlation id; the stack is logged, never sent.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const { status, message } = this.describe(exception);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.status(status).json({ statusCode: status, message, error: reasonPhrase(status) });
  }

  private describe(exception: unknown): { status: number; message: string } {
    if (exception instanceof DomainError) {
      return { status: STATUS_BY_CODE[exception.code], message: exception.message };
    }
    if (exception instanceof HttpException) {
      return { status: exception.getStatus(), message: messageOf(exception) };
    }
    const clientError = middlewareClientError(exception);
    if (clientError) return clientError;
    const correlationId = randomUUID();
    const error = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.error(`unhandled error (correlation_id=${correlationId}): ${error.message}`, error.stack);
    return { status: 500, message: `Internal server error (correlation_id=${correlationId})` };
  }
}

/**
 * An error of Express middleware that blames the request (body-parser's `http-errors`: a body over the
 * size limit is 413, unparsable JSON 400); they mark a message fit for the client with `expose`.
 */
function middlewareClientError(exception: unknown): { status: number; message: string } | undefined {
  if (!(exception instanceof Error)) return undefined;
  const { status, expose } = exception as Error & { status?: unknown; expose?: unknown };
  return expose === true && typeof status === 'number' && status >= 400 && status < 500 ? { status, message: exception.message } : undefined;
}

function messageOf(exception: HttpException): string {
  const body = exception.getResponse();
  if (typeof body === 'string') return body;
  const message = (body as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

function reasonPhrase(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}
