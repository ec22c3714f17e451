/** A Host header we are willing to repeat inside the CSP: a host name or address and an optional port. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/**
 * The Content-Security-Policy of every console response: scripts and styles only from our own files
 * (no inline script, no eval), no plugins, no framing, and network access only to this origin — REST
 * over http(s) and the WebSocket over ws(s) (named explicitly: older browsers do not count ws: as 'self').
 */
export function consoleContentSecurityPolicy(host: string | undefined): string {
  const sockets = host !== undefined && SAFE_HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Headers on every console response (the page and its assets). */
export function consoleHeaders(host: string | undefined): Record<string, string> {
  return {
    'Content-Security-Policy': consoleContentSecurityPolicy(host),
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
    'Cache-Control': 'no-cache',
  };
}
