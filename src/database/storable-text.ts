// eslint-disable-next-line no-control-regex -- NUL is exactly the character PostgreSQL refuses in text
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text as both databases can store it: PostgreSQL rejects NUL characters in `text`, and UTF-8 has no
 * encoding for unpaired surrogates, so both become U+FFFD (the replacement character) on every backend.
 */
export function storableText(text: string): string {
  return text.replace(UNSTORABLE, '\uFFFD');
}

export function storableOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : storableText(text);
}
