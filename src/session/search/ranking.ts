import { foldText, foldWord, SearchQuery } from './search-query';

const K1 = 1.2;
const B = 0.75;

/**
 * Orders the candidates of a search best first with the BM25 term weighting: the more often a term
 * (a word, or a phrase counted where its words follow each other) occurs in a message, relative to the
 * message's length, the better. Every candidate matched every term, so the inverse document frequency
 * BM25 would add (which SQLite computes by scanning the whole index for every term) could only scale
 * the terms against each other; it is left out. Done here, on both databases alike, over at most
 * RANKED_CANDIDATES messages. Ties: newer first, then session id and seq.
 */
export function rankCandidates<T extends { readonly content: string; readonly createdAt: number; readonly sessionId: string; readonly seq: number }>(
  candidates: readonly T[],
  query: SearchQuery,
): T[] {
  const terms = query.terms.map((t) => t.words.map(foldWord));
  const documents = candidates.map((c) => ({ candidate: c, words: foldText(c.content) }));
  const averageLength = documents.reduce((sum, d) => sum + d.words.length, 0) / Math.max(1, documents.length) || 1;
  const scored = documents.map(({ candidate, words }) => {
    const norm = K1 * (1 - B + (B * words.length) / averageLength);
    const counts = wordCounts(words);
    const score = terms.reduce((sum, term) => {
      const tf = term.length === 1 ? (counts.get(term[0] ?? '') ?? 0) : occurrences(words, term);
      return sum + (tf * (K1 + 1)) / (tf + norm);
    }, 0);
    return { candidate, score };
  });
  scored.sort(
    (a, b) =>
      b.score - a.score ||
      b.candidate.createdAt - a.candidate.createdAt ||
      (a.candidate.sessionId < b.candidate.sessionId ? -1 : a.candidate.sessionId > b.candidate.sessionId ? 1 : 0) ||
      a.candidate.seq - b.candidate.seq,
  );
  return scored.map((s) => s.candidate);
}

function wordCounts(words: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
  return counts;
}

/** How often the phrase `term` occurs in `words`. */
function occurrences(words: readonly string[], term: readonly string[]): number {
  let count = 0;
  for (let i = 0; i + term.length <= words.length; i++) {
    if (term.every((w, j) => words[i + j] === w)) count += 1;
  }
  return count;
}
