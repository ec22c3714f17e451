import { spawn } from 'node:child_process';
import { createPrivateKey } from 'node:crypto';
import { decodeProtectedHeader, SignJWT } from 'jose';
import { DataSource } from 'typeorm';
import { SigningKeyEntity } from '../../src/auth/entities/signing-key.entity';
import { SigningKeys } from '../../src/auth/keys/signing-keys.service';
import { UserAdminError, UsersService } from '../../src/auth/login/users.service';
import { passwordGrant } from '../utils/oauth';
import { useTestApp } from '../utils/use-test-app';

interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `src/cli/<script>.ts` as `npm run users`/`keys` does, on the app's database, with `input` as stdin. */
function cli(databaseUrl: string, script: string, args: string[], input = ''): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', `src/cli/${script}.ts`, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('npm run users / keys (e2e)', () => {
  const app = useTestApp(() => ({ AUTH_LOGIN_ENABLED: 'true' }));
  const databaseUrl = (): string => {
    const db = app.running.config.database;
    return db.type === 'sqlite' ? `sqlite:${db.path}` : db.url;
  };

  it('adds, lists, re-passwords and disables users; the password comes from stdin, never argv', async () => {
    const added = await cli(databaseUrl(), 'users', ['add', 'carol'], 'first password 1\n');
    expect(added).toMatchObject({ code: 0, stdout: expect.stringMatching(/^added carol \(id [0-9a-f-]{36}\)/) as unknown });
    expect((await passwordGrant(app.running.baseUrl, 'carol', 'first password 1')).status).toBe(200);

    const argv = await cli(databaseUrl(), 'users', ['add', 'dave', 'password-on-argv'], '');
    expect(argv).toMatchObject({ code: 2, stderr: expect.stringMatching(/never taken from the command line/) as unknown });
    expect(argv.stderr).not.toContain('password-on-argv');

    const listed = await cli(databaseUrl(), 'users', ['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^carol\t[0-9a-f-]{36}\tactive\t/m);
    expect(listed.stdout).not.toMatch(/scrypt|first password/);

    expect((await cli(databaseUrl(), 'users', ['passwd', 'carol'], 'second password 2\n')).code).toBe(0);
    expect((await passwordGrant(app.running.baseUrl, 'carol', 'first password 1')).status).toBe(401);
    expect((await passwordGrant(app.running.baseUrl, 'carol', 'second password 2')).status).toBe(200);

    expect((await cli(databaseUrl(), 'users', ['disable', 'carol'])).code).toBe(0);
    expect((await passwordGrant(app.running.baseUrl, 'carol', 'second password 2')).status).toBe(401);
    expect((await cli(databaseUrl(), 'users', ['list'])).stdout).toMatch(/^carol\t\S+\tdisabled\t/m);
  }, 180_000);

  it('refuses duplicate names, short passwords and unknown users with a clear message', async () => {
    const users = app.running.app.get(UsersService);
    await users.add('erin', 'a fine password');
    await expect(users.add('erin', 'another password')).rejects.toThrow(new UserAdminError('user erin already exists'));
    await expect(users.add('frank', 'short')).rejects.toThrow(/8 to 1024 characters/);
    await expect(users.add('no spaces allowed', 'a fine password')).rejects.toThrow(/user names must match/);
    await expect(users.disable('nobody')).rejects.toThrow(new UserAdminError('no user named nobody'));
  });

  it('rotates the signing key', async () => {
    const rotated = await cli(databaseUrl(), 'keys', ['rotate']);
    expect(rotated).toMatchObject({ code: 0, stdout: expect.stringMatching(/^new signing key \S+/) as unknown });
    const after = (await cli(databaseUrl(), 'keys', ['list'])).stdout.trim().split('\n');
    expect(after).toHaveLength(2);
    expect(after[0]).toMatch(/\tsigning$/);
    expect(after[1]).toMatch(/\tretired /);
    const newKid = after[0]?.split('\t')[0] ?? '';
    const users = app.running.app.get(UsersService);
    await users.add('grace', 'a fine password');
    const kidOfLogin = async (): Promise<string | undefined> =>
      decodeProtectedHeader((await passwordGrant(app.running.baseUrl, 'grace', 'a fine password')).body.access_token).kid;

    // The running instance signs with the new key once its copy of the key table is over a minute old.
    const clock = jest.spyOn(Date, 'now').mockReturnValue(Date.now() + 61_000);
    try {
      expect(await kidOfLogin()).toBe(newKid);
    } finally {
      clock.mockRestore();
    }

    // A key another instance added just now verifies at once: an unknown kid makes the instance reload.
    const keys = new SigningKeys(app.running.app.get(DataSource).getRepository(SigningKeyEntity), app.running.config);
    const thirdKid = await keys.rotate();
    const [row] = (await app.running.app.get(DataSource).query<{ kid: string; private_key: string }[]>('SELECT kid, private_key FROM signing_keys')).filter(
      (r) => r.kid === thirdKid,
    );
    const token = await new SignJWT({ type: 'access' })
      .setProtectedHeader({ alg: 'RS256', kid: thirdKid })
      .setSubject('key-rotation-check')
      .setIssuer('codelab-agent-service')
      .setAudience('codelab-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(createPrivateKey(row?.private_key ?? ''));
    const res = await fetch(`${app.running.baseUrl}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  }, 60_000);
});
