/**
 * A search query as the user typed it, reduced to what we trust: words (runs of letters, digits and
 * combining marks) grouped into terms. A bare word is a term of one word; a "quoted phrase", or a chunk
 * such as `file.ts` whose words are joined by punctuation, is a phrase term whose words must follow each
 * other. Everything else (operators, `*`, `:`, `-`, lone quotes, `NEAR`…) is either punctuation, which
 * separates words, or a plain word. The database query is built from these words only, so no input can
 * reach the full-text query syntax of SQLite or PostgreSQL.
 */
export interface SearchTerm {
  /** One word, or the words of a phrase in order. */
  readonly words: readonly string[];
}

export interface SearchQuery {
  readonly terms: readonly SearchTerm[];
}

/** Upper bounds that keep a query's cost small whatever the input. */
export const MAX_TERMS = 16;
export const MAX_PHRASE_WORDS = 16;
const MAX_WORD_LENGTH = 64;

/** A word as both databases' tokenizers see one: letters, digits, private-use characters, combining marks. */
export const WORD = /[\p{L}\p{N}\p{Co}\p{M}]+/gu;

export function parseSearchQuery(input: string): SearchQuery {
  const text = input.normalize('NFC');
  const terms: SearchTerm[] = [];
  const add = (chunk: string): void => {
    const words = (chunk.match(WORD) ?? []).map((w) => [...w].slice(0, MAX_WORD_LENGTH).join('')).slice(0, MAX_PHRASE_WORDS);
    if (words.length > 0 && terms.length < MAX_TERMS && !terms.some((t) => sameWords(t.words, words))) terms.push({ words });
  };
  // Quoted phrases first (a lone quote is just punctuation), then whitespace-separated chunks.
  const quoted = /"([^"]*)"/g;
  let rest = '';
  let last = 0;
  for (const match of text.matchAll(quoted)) {
    rest += `${text.slice(last, match.index)} `;
    add(match[1] ?? '');
    last = match.index + match[0].length;
  }
  rest += text.slice(last);
  for (const chunk of rest.split(/\s+/u)) add(chunk);
  return { terms };
}

/** Case and accent folding used to rank and highlight matches (the databases fold on their side). */
export function foldWord(word: string): string {
  return word.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

const NOT_ASCII = /[^\u0020-\u007e\s]/;
const ASCII_WORD = /[a-z0-9]+/g;
const FOLDED_WORD = /[\p{L}\p{N}\p{Co}]+/gu;

/** The folded words of a text, in order: the same as `text.match(WORD).map(foldWord)`, faster. */
export function foldText(text: string): string[] {
  if (!NOT_ASCII.test(text)) return text.toLowerCase().match(ASCII_WORD) ?? [];
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().match(FOLDED_WORD) ?? [];
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => foldWord(w) === foldWord(b[i] ?? ''));
}
