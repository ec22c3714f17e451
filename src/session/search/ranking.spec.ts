import { rankCandidates } from './ranking';
import { parseSearchQuery } from './search-query';

const hit = (seq: number, content: string, createdAt = 1000) => ({ sessionId: 's', seq, content, createdAt });

describe(rankCandidates.name, () => {
  it('puts more occurrences, in a shorter message, first', () => {
    const ranked = rankCandidates(
      [hit(0, 'a long message that mentions the zebra once among many other words'), hit(1, 'zebra zebra zebra'), hit(2, 'zebra and a horse')],
      parseSearchQuery('zebra'),
    );
    expect(ranked.map((r) => r.seq)).toEqual([1, 2, 0]);
  });

  it('counts a phrase only where its words follow each other, whatever the case and accents', () => {
    const ranked = rankCandidates(
      [hit(0, 'key foreign key foreign'), hit(1, 'the Foreign Key and the foreign key'), hit(2, 'a foreign key')],
      parseSearchQuery('"foreign key"'),
    );
    expect(ranked.map((r) => r.seq)).toEqual([1, 2, 0]);
    expect(rankCandidates([hit(0, 'resume'), hit(1, 'Résumé résumé')], parseSearchQuery('RESUME')).map((r) => r.seq)).toEqual([1, 0]);
  });

  it('breaks ties by the newer message, then session and seq', () => {
    const ranked = rankCandidates([hit(0, 'same words', 1), hit(2, 'same words', 5), hit(1, 'same words', 5)], parseSearchQuery('same'));
    expect(ranked.map((r) => r.seq)).toEqual([1, 2, 0]);
  });
});
