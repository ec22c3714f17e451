import { storableOrNull, storableText } from './storable-text';

describe(storableText.name, () => {
  it('replaces NUL and unpaired surrogates, keeps everything else', () => {
    expect(storableText('a\u0000b')).toBe('a\uFFFDb');
    expect(storableText('x\uD83D y \uDE00 z')).toBe('x\uFFFD y \uFFFD z');
    expect(storableText('emoji 😀 ok, שלום, e\u0301, \u0001\t')).toBe('emoji 😀 ok, שלום, e\u0301, \u0001\t');
    expect(storableOrNull(null)).toBeNull();
    expect(storableOrNull('\u0000')).toBe('\uFFFD');
  });
});
