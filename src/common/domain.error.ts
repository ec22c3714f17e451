/** Errors the domain raises on purpose; each transport maps the code once (HTTP status, `error` frame). */
export enum DomainErrorCode {
  SessionNotFound = 'session_not_found',
  SessionExists = 'session_exists',
  InvalidRequest = 'invalid_request',
  NotPending = 'not_pending',
  /** A part the service needs is unreachable for now (e.g. Redis, which coordinates several instances). */
  Unavailable = 'unavailable',
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const sessionNotFound = (sessionId: string): DomainError =>
  new DomainError(DomainErrorCode.SessionNotFound, `Session ${sessionId} not found`);
