import { OptionsError, parseOptions } from './options';

describe('bench parseOptions', () => {
  it('runs the full plan by default, the quick one with --quick', () => {
    expect(parseOptions([])).toMatchObject({ plan: { mode: 'full' }, help: false, keep: false, profileDir: undefined });
    expect(parseOptions(['--quick', '--keep', '--profile', 'prof'])).toMatchObject({
      plan: { mode: 'quick' },
      keep: true,
      profileDir: 'prof',
    });
    expect(parseOptions(['-h']).help).toBe(true);
    expect(parseOptions([]).redis).toBe(false);
    expect(parseOptions(['--redis', '--quick'])).toMatchObject({ redis: true, plan: { mode: 'quick' } });
  });

  it.each([
    [['--fast'], /Unknown option '--fast'/],
    [['--profile'], /argument missing/],
    [['--profile='], /--profile needs a directory/],
    [['--profile', '--keep'], /ambiguous/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseOptions(argv)).toThrow(OptionsError);
    expect(() => parseOptions(argv)).toThrow(message);
  });
});
