import { redactedRedisUrl, redisErrorCode } from './redis-url-redaction';

describe(redactedRedisUrl.name, () => {
  it.each([
    ['redis://:s3cret-pass@cache:6379/2', 'redis://cache:6379/2'],
    ['rediss://user:s3cret-pass@cache.example:6380', 'rediss://cache.example:6380'],
    ['redis://127.0.0.1:6379/', 'redis://127.0.0.1:6379'],
    ['not a url s3cret-pass', '(unparseable REDIS_URL)'],
  ])('shows %s as %s, without user or password', (url, shown) => {
    expect(redactedRedisUrl(url)).toBe(shown);
    expect(redactedRedisUrl(url)).not.toContain('s3cret-pass');
  });
});

describe(redisErrorCode.name, () => {
  it('names a socket error by its code', () => {
    expect(redisErrorCode(Object.assign(new Error('connect ECONNREFUSED 10.0.0.1:6379'), { code: 'ECONNREFUSED' }))).toBe('ECONNREFUSED');
  });

  it('names a Redis error reply by its first word, never the rest of the message', () => {
    expect(redisErrorCode(new Error('WRONGPASS invalid username-password pair or user is disabled.'))).toBe('WRONGPASS');
  });

  it('names a typed error by its class and anything else generically', () => {
    class ConnectionTimeoutError extends Error {
      override name = 'ConnectionTimeoutError';
    }
    expect(redisErrorCode(new ConnectionTimeoutError('timed out to host secret-host'))).toBe('ConnectionTimeoutError');
    expect(redisErrorCode(new Error('lost key codelab:secret'))).toBe('error');
    expect(redisErrorCode('boom')).toBe('error');
  });
});
