import { AppLogger } from './app-logger';

describe(AppLogger.name, () => {
  let written: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });

  afterEach(() => spy.mockRestore());

  it.each(['text', 'json'] as const)('logs an error without a stack (%s)', (format) => {
    const sut = new AppLogger(format, ['error']);
    expect(() => sut.error('session=s1 could not greet a socket')).not.toThrow();
    expect(written.join('')).toContain('session=s1 could not greet a socket');
  });

  it('redacts secrets in an error stack', () => {
    const sut = new AppLogger('text', ['error']);
    sut.error('failed', 'Error: refused Bearer abc.def.ghi\n    at verify (auth.ts:1:2)');
    expect(written.join('')).toContain('at verify (auth.ts:1:2)');
    expect(written.join('')).not.toContain('abc.def.ghi');
  });
});
