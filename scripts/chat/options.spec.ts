import { OptionsError, parseOptions } from './options';

describe('chat parseOptions', () => {
  const parse = (...argv: string[]) => parseOptions(argv, { INIT_CWD: '/tmp/ws' }, () => 42);

  it('has defaults for everything', () => {
    expect(parse()).toEqual({
      httpUrl: 'http://127.0.0.1:8000',
      wsUrl: 'ws://127.0.0.1:8000',
      sessionId: 'new_42',
      agent: undefined,
      protocol: 2,
      autoApprove: false,
      workspace: '/tmp/ws',
      authHeaders: {},
      help: false,
    });
  });

  it('reads --name value and --name=value, flags, and credentials from options or the environment', () => {
    const options = parse('--url=https://example.test:9000/', '--session', 'my-chat', '--agent', 'coder', '--protocol=1', '--auto-approve', '--token', 'jwt');
    expect(options).toMatchObject({
      httpUrl: 'https://example.test:9000',
      wsUrl: 'wss://example.test:9000',
      sessionId: 'my-chat',
      agent: 'coder',
      protocol: 1,
      autoApprove: true,
      authHeaders: { authorization: 'Bearer jwt' },
    });
    expect(parseOptions([], { CODELAB_API_KEY: 'k' }).authHeaders).toEqual({ 'x-api-key': 'k' });
    expect(parse('-h').help).toBe(true);
    expect(parse('--help').help).toBe(true);
  });

  it.each([
    [['--bogus'], /Unknown option '--bogus'/],
    [['stray'], /Unexpected argument 'stray'/],
    [['--url'], /argument missing/],
    [['--session='], /--session needs a value/],
    [['--session', 'bad id'], /Invalid session id "bad id"/],
    [['--agent', 'wizard'], /Unknown agent "wizard"/],
    [['--protocol', '3'], /--protocol must be 1 or 2/],
    [['--url', 'ftp://x'], /--url must start with http/],
  ])('refuses %j with a clear OptionsError', (argv, message) => {
    expect(() => parse(...argv)).toThrow(OptionsError);
    expect(() => parse(...argv)).toThrow(message);
  });
});
