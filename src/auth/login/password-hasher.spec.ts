import { hashPassword, UNKNOWN_USER_HASH, verifyPassword } from './password-hasher';

describe('password hashing (scrypt)', () => {
  it('verifies the right password only, with a fresh salt every time', async () => {
    const first = await hashPassword('correct horse battery');
    const second = await hashPassword('correct horse battery');
    expect(first).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(first).not.toBe(second);
    expect(first).not.toContain('correct horse');
    expect(await verifyPassword('correct horse battery', first)).toBe(true);
    expect(await verifyPassword('correct horse batterY', first)).toBe(false);
    expect(await verifyPassword('', first)).toBe(false);
  });

  it('never matches a malformed hash or the unknown-user placeholder', async () => {
    expect(await verifyPassword('x', 'plain-text')).toBe(false);
    expect(await verifyPassword('', UNKNOWN_USER_HASH)).toBe(false);
  });
});
