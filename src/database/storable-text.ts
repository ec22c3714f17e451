// eslint-disable-next-line no-control-regex -- NUL is exactly the character PostgreSQL refuses in text
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
/** Text without NUL or surrogates (nearly all) is storable as it is: one quick scan instead of the replace. */
// eslint-disable-next-line no-control-regex -- as above
const MAYBE_UNSTORABLE = /[\u0000\uD800-\uDFFF]/;

/**
 * Text as both databases can store it: PostgreSQL rejects NUL characters in `text`, and UTF-8 has no
 * encoding for unpaired surrogates, so both become U+FFFD (the replacement character) on every backend.
 */
export function storableText(text: string): string {
  return MAYBE_UNSTORABLE.test(text) ? text.replace(UNSTORABLE, '\uFFFD') : text;
}

export function storableOrNull(text: string | null | undefined): string | null {
  return text === null || text === undefined ? null : storableText(text);
}
