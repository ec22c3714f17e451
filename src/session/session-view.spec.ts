import { TITLE_MAX_LENGTH, titleFromMessage } from './session-view';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe(titleFromMessage.name, () => {
  it('folds every run of whitespace, including newlines and tabs, into one space and trims', () => {
    expect(titleFromMessage('  Create\n\n\thello.py\r\n  please  ')).toBe('Create hello.py please');
  });

  it.each(['', '   ', '\n\t \u00a0'])('returns null for blank content %j', (content) => {
    expect(titleFromMessage(content)).toBeNull();
  });

  it('keeps a title of exactly 100 characters and cuts a longer one to 100', () => {
    const exact = 'x'.repeat(TITLE_MAX_LENGTH);
    expect(TITLE_MAX_LENGTH).toBe(100);
    expect(titleFromMessage(exact)).toBe(exact);
    expect(titleFromMessage(`${exact}yz`)).toBe(exact);
  });

  it('cuts after folding, so whitespace does not eat into the 100 characters', () => {
    const words = Array.from({ length: 60 }, (_, i) => `w${i % 10}`).join('\n\n\n');
    const title = titleFromMessage(words);
    expect(title).toHaveLength(100);
    expect(title).toBe(words.replace(/\n+/g, ' ').slice(0, 100));
  });

  it('cuts by code point and never splits a surrogate pair', () => {
    const title = titleFromMessage('a' + '😀'.repeat(150));
    expect(title).not.toBeNull();
    expect([...(title ?? '')]).toHaveLength(100);
    expect(title).toBe('a' + '😀'.repeat(99));
    expect(title).not.toMatch(LONE_SURROGATE);
  });

  it('keeps non-Latin text intact', () => {
    expect(titleFromMessage('Создай файл  hello.py — 日本語')).toBe('Создай файл hello.py — 日本語');
  });
});
