import { redactSecrets } from './redact';

describe(redactSecrets.name, () => {
  it.each([
    ['Authorization: Bearer abc.def.ghi', 'abc.def.ghi'],
    ['token eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl here', 'eyJhbGciOiJSUzI1NiJ9'],
    ['refresh clrt_AAAAbbbbCCCCdddd1234', 'clrt_AAAAbbbbCCCCdddd1234'],
    ['grant_type=password&password=hunter2hunter2&client_id=x', 'hunter2hunter2'],
    ['{"api_key":"sk-live-123456"}', 'sk-live-123456'],
    ['connect postgres://app:s3cr3t@db:5432/codelab failed', 's3cr3t'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----', 'MIIEvQ'],
  ])('removes the secret from %j', (line, secret) => {
    expect(redactSecrets(line)).not.toContain(secret);
  });

  it('leaves ordinary lines alone', () => {
    const line = 'session=3f1c2d6e-8a7b user=alice turn completed in 12 ms (agent coder)';
    expect(redactSecrets(line)).toBe(line);
  });
});
