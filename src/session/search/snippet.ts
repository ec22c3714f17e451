import { foldWord, SearchQuery, WORD } from './search-query';

/** Longest snippet, in characters, before the `**` marks and the `…` ends are added. */
export const SNIPPET_CHARS = 160;
/** How much text before the first match a snippet keeps. */
const LEAD_CHARS = 50;

/**
 * A short excerpt of `content` around its first matching word, every matching word wrapped in `**`,
 * whitespace collapsed to single spaces, `…` where text was cut. Built here rather than by the
 * database (FTS5 `snippet`, `ts_headline`) so that both databases give the same excerpt.
 */
export function buildSnippet(content: string, query: SearchQuery): string {
  const wanted = new Set(query.terms.flatMap((t) => t.words.map(foldWord)));
  const words = [...content.matchAll(WORD)].map((m) => ({ start: m.index, end: m.index + m[0].length, hit: wanted.has(foldWord(m[0])) }));
  const first = words.find((w) => w.hit);
  let start = first ? Math.max(0, first.start - LEAD_CHARS) : 0;
  // Never start or end inside a word.
  const cutAtStart = words.find((w) => w.start < start && w.end > start);
  if (cutAtStart) start = cutAtStart.end;
  let end = Math.min(content.length, start + SNIPPET_CHARS);
  const cutAtEnd = words.find((w) => w.start < end && w.end > end);
  if (cutAtEnd && cutAtEnd.start > start) end = cutAtEnd.start;

  let out = '';
  let at = start;
  for (const word of words) {
    if (word.end <= start || word.start >= end) continue;
    out += content.slice(at, word.start);
    const text = content.slice(word.start, word.end);
    out += word.hit ? `**${text}**` : text;
    at = word.end;
  }
  out += content.slice(at, end);
  out = out.replace(/\s+/gu, ' ').trim();
  return `${start > 0 ? '…' : ''}${out}${end < content.length ? '…' : ''}`;
}
