import { parseSearchQuery } from './search-query';
import { buildSnippet, SNIPPET_CHARS } from './snippet';

describe(buildSnippet.name, () => {
  it('wraps every matching word, whatever its case and accents', () => {
    const snippet = buildSnippet('Your Résumé and my RESUME.\nFile:  файл', parseSearchQuery('resume Файл'));
    expect(snippet).toBe('Your **Résumé** and my **RESUME**. File: **файл**');
  });

  it('cuts long text around the first match at word boundaries and marks the cuts', () => {
    const before = 'alpha '.repeat(40);
    const after = ' omega'.repeat(60);
    const snippet = buildSnippet(`${before}needle${after}`, parseSearchQuery('needle'));
    expect(snippet.startsWith('…alpha')).toBe(true);
    expect(snippet.endsWith('omega…')).toBe(true);
    expect(snippet).toContain('**needle**');
    expect(snippet.length).toBeLessThanOrEqual(SNIPPET_CHARS + 6);
  });

  it('starts at the beginning when nothing matches word for word', () => {
    expect(buildSnippet('short text', parseSearchQuery('other'))).toBe('short text');
  });
});
