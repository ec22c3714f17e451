/** RFC 6749 §5.2 error codes, plus the rate limit's. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'rate_limit_exceeded';

/** A token-endpoint error: answered as `{"error","error_description"}` with its status. */
export class OAuthError extends Error {
  constructor(
    readonly status: 400 | 401 | 429,
    readonly code: OAuthErrorCode,
    readonly description: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(description);
    this.name = 'OAuthError';
  }
}
