/**
 * Last line of defence: whatever a log line says, these never leave the process. Code does not log
 * credentials in the first place; this catches the ones that slip in through error messages.
 */
const RULES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, '[redacted private key]'],
  [/\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g, '[redacted jwt]'],
  [/\bclrt_[A-Za-z0-9_-]{8,}/g, '[redacted refresh token]'],
  [/\b(Bearer|Basic)\s+[^\s"',;]+/gi, '$1 [redacted]'],
  [/\b((?:password|passwd|secret|api[_-]?key|access_token|refresh_token|token|authorization)["']?\s*[=:]\s*["']?)[^\s"'&,;}]+/gi, '$1[redacted]'],
  [/\b([a-z][a-z0-9+.-]*:\/\/[^:/@\s]+:)[^@/\s]+@/gi, '$1[redacted]@'],
];

export function redactSecrets(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out;
}
