import { foldText, foldWord, MAX_TERMS, parseSearchQuery, WORD } from './search-query';

const words = (q: string) => parseSearchQuery(q).terms.map((t) => t.words.join(' '));

describe(parseSearchQuery.name, () => {
  it('keeps words, quoted phrases and punctuation-joined chunks as terms', () => {
    expect(words('migration "foreign key" file.ts')).toEqual(['foreign key', 'migration', 'file ts']);
    expect(parseSearchQuery('"foreign key"').terms[0]?.words).toEqual(['foreign', 'key']);
  });

  it('reduces query syntax and odd input to plain words or nothing', () => {
    expect(words('" * NEAR - : (x) AND OR NOT ^')).toEqual(['NEAR', 'x', 'AND', 'OR', 'NOT']);
    expect(words('"lone quote')).toEqual(['lone', 'quote']);
    expect(words('!@#$%^&*()_+-=[]{}|;:,.<>/?~`'.repeat(17))).toEqual([]);
    expect(words('')).toEqual([]);
  });

  it('keeps letters of every script and folds nothing itself', () => {
    expect(words('Файл résumé 文件')).toEqual(['Файл', 'résumé', '文件']);
  });

  it('bounds the number of terms and drops repeats', () => {
    expect(parseSearchQuery(Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ')).terms).toHaveLength(MAX_TERMS);
    expect(words('Bug bug BUG')).toEqual(['Bug']);
  });
});

describe(foldText.name, () => {
  it('gives the folded words of a text, ASCII or not', () => {
    for (const text of ['Plain ASCII, file.ts & co_2', 'Résumé of the ФАЙЛ — naïve café', 'e\u0301te\u0301 déjà-vu 文件']) {
      expect(foldText(text)).toEqual((text.match(WORD) ?? []).map(foldWord));
    }
  });
});
