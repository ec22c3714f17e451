/**
 * Checks `REDIS_URL`: `redis://` or `rediss://`, a host, an optional port and an optional `/db` index
 * (0–15 by Redis's default). Returns a problem sentence, or null when the URL is fine. The sentence never
 * repeats the URL: it may carry a password.
 */
export function redisUrlProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'REDIS_URL must be a URL like redis://host:6379 or redis://host:6379/2 (it is not a URL)';
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') {
    return `REDIS_URL must start with redis:// or rediss:// (got ${url.protocol}//)`;
  }
  if (url.hostname === '') return 'REDIS_URL has no host (e.g. redis://127.0.0.1:6379)';
  const path = url.pathname;
  if (path !== '' && path !== '/' && !/^\/\d{1,5}$/.test(path)) {
    return 'REDIS_URL may end with a database index only (e.g. redis://host:6379/2)';
  }
  if (url.search !== '' || url.hash !== '') return 'REDIS_URL must not carry a query or fragment';
  return null;
}
