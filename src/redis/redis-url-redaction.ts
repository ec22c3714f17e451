/** `redis://host:port/db` of a REDIS_URL, without its user or password: safe for logs. */
export function redactedRedisUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return '(unparseable REDIS_URL)';
  }
}

/** An error's code (ECONNREFUSED, NOAUTH, …) or a generic word: never the message, which may carry a host or key. */
export function redisErrorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'error';
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{1,40}$/.test(code)) return code;
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && /^[A-Za-z]{1,60}$/.test(name) && name !== 'Error') return name;
  const message = (error as { message?: unknown }).message;
  const first = typeof message === 'string' ? /^([A-Z]{3,20})\b/.exec(message)?.[1] : undefined;
  return first ?? 'error';
}
