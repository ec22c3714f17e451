import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { SigningKeys } from '../../src/auth/keys/signing-keys.service';
import { UsersService } from '../../src/auth/login/users.service';
import { http } from '../utils/http';
import { IDE_CLIENT_ID, passwordGrant, refreshGrant, tokenRequest } from '../utils/oauth';
import { useTestApp } from '../utils/use-test-app';
import { TestSocket } from '../utils/ws-client';

const PASSWORD = 'a long and secret passphrase';
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('Built-in login for the reference IDE (e2e)', () => {
  const app = useTestApp(() => ({
    AUTH_LOGIN_ENABLED: 'true',
    AUTH_WS_SESSION_CAPABILITY: 'true',
    AUTH_LOGIN_CLIENTS: `${IDE_CLIENT_ID},codelab-cli`,
    AUTH_LOGIN_ATTEMPTS_PER_MINUTE: '5',
    AUTH_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '1000',
  }));
  let aliceId: string;

  beforeAll(async () => {
    const users = app.running.app.get(UsersService);
    aliceId = (await users.add('alice', PASSWORD)).id;
    await users.add('bob', PASSWORD);
    await users.add('limited', PASSWORD);
    await users.add('leaving', PASSWORD);
  });

  it("runs the IDE's flow: password grant, POST /sessions, header-less socket, a turn, refresh, reuse revokes the family", async () => {
    const { baseUrl, wsUrl } = app.running;
    const login = await passwordGrant(baseUrl, 'alice', PASSWORD);
    expect(login.status).toBe(200);
    expect(login.headers.get('cache-control')).toBe('no-store');
    expect(login.body).toEqual({
      access_token: expect.any(String) as unknown,
      refresh_token: expect.stringMatching(/^clrt_/) as unknown,
      token_type: 'bearer',
      expires_in: 900,
      scope: 'api',
    });
    // An independent JWKS client (jose's remote key set) verifies the token against /.well-known/jwks.json.
    const jwks = createRemoteJWKSet(new URL(`${baseUrl}/.well-known/jwks.json`));
    const verified = await jwtVerify(login.body.access_token, jwks, { issuer: 'codelab-agent-service', audience: 'codelab-api' });
    expect(verified.protectedHeader).toMatchObject({ alg: 'RS256', kid: expect.any(String) as unknown });
    expect(verified.payload).toMatchObject({ sub: aliceId, type: 'access', client_id: IDE_CLIENT_ID, scope: 'api' });
    expect((verified.payload.exp ?? 0) - (verified.payload.iat ?? 0)).toBe(900);

    const created = await http<{ id: string }>(baseUrl, 'POST', '/api/v1/sessions', {}, bearer(login.body.access_token));
    expect(created.status).toBe(201);
    const socket = await TestSocket.open(`${wsUrl}/api/v1/ws/${created.body.id}`);
    try {
      const reply = await socket.request({ type: 'user_message', content: 'explain the parser', role: 'user' });
      expect(reply.at(-1)).toMatchObject({ type: 'assistant_message', is_final: true });
    } finally {
      await socket.close();
    }
    const history = await http<{ messages: { role: string }[] }>(baseUrl, 'GET', `/api/v1/sessions/${created.body.id}/history`, undefined, bearer(login.body.access_token));
    expect(history.body.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    // Another user does not see it: the socket acted as alice.
    const bob = await passwordGrant(baseUrl, 'bob', PASSWORD);
    expect((await http(baseUrl, 'GET', `/api/v1/sessions/${created.body.id}`, undefined, bearer(bob.body.access_token))).status).toBe(404);

    const refreshed = await refreshGrant(baseUrl, login.body.refresh_token);
    expect(refreshed.body.error_description).toBeUndefined();
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(login.body.refresh_token);
    expect((await http(baseUrl, 'GET', '/api/v1/sessions', undefined, bearer(refreshed.body.access_token))).status).toBe(200);

    const reused = await refreshGrant(baseUrl, login.body.refresh_token);
    expect(reused.status).toBe(400);
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_description: expect.stringMatching(/already used/) as unknown });
    const successor = await refreshGrant(baseUrl, refreshed.body.refresh_token);
    expect(successor.status).toBe(400);
    expect(successor.body.error).toBe('invalid_grant');
    // Bob's login is another family and still works.
    expect((await refreshGrant(baseUrl, bob.body.refresh_token)).status).toBe(200);

    // Deleting the session ends what its id allowed.
    expect((await http(baseUrl, 'DELETE', `/api/v1/sessions/${created.body.id}`, undefined, bearer(refreshed.body.access_token))).status).toBe(204);
    expect(await TestSocket.refused(`${wsUrl}/api/v1/ws/${created.body.id}`)).toBe(401);
  });

  it('a refresh token works once, for its own client: two concurrent uses revoke the family', async () => {
    const { baseUrl } = app.running;
    const login = await passwordGrant(baseUrl, 'bob', PASSWORD);
    const otherClient = await tokenRequest(baseUrl, { grant_type: 'refresh_token', refresh_token: login.body.refresh_token, client_id: 'codelab-cli' });
    expect(otherClient.body).toMatchObject({ error: 'invalid_grant', error_description: 'The refresh token was issued to another client' });
    const both = await Promise.all([refreshGrant(baseUrl, login.body.refresh_token), refreshGrant(baseUrl, login.body.refresh_token)]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 400]);
    const winner = both.find((r) => r.status === 200);
    expect((await refreshGrant(baseUrl, winner?.body.refresh_token ?? '')).body.error).toBe('invalid_grant');
  });

  it('keeps the probes, metrics (without METRICS_TOKEN) and the login public; the API needs a credential', async () => {
    const { baseUrl } = app.running;
    for (const path of ['/health', '/health/ready', '/metrics', '/.well-known/jwks.json']) {
      expect({ path, status: (await fetch(`${baseUrl}${path}`)).status }).toEqual({ path, status: 200 });
    }
    expect((await http(baseUrl, 'GET', '/api/v1/sessions')).status).toBe(401);
  });

  it('answers RFC 6749 errors: 401 for bad credentials, 400 for bad requests', async () => {
    const { baseUrl } = app.running;
    const badPassword = await passwordGrant(baseUrl, 'bob', 'not the password');
    expect(badPassword.status).toBe(401);
    expect(badPassword.body).toEqual({ error: 'invalid_grant', error_description: 'Invalid username or password' });
    expect((await passwordGrant(baseUrl, 'nobody', PASSWORD)).status).toBe(401);
    const cases: [Record<string, string>, string][] = [
      [{ grant_type: 'client_credentials', client_id: IDE_CLIENT_ID }, 'unsupported_grant_type'],
      [{ grant_type: 'authorization_code', client_id: IDE_CLIENT_ID, code: 'x' }, 'unsupported_grant_type'],
      [{ client_id: IDE_CLIENT_ID, username: 'bob', password: PASSWORD }, 'invalid_request'],
      [{ grant_type: 'password', client_id: IDE_CLIENT_ID, username: 'bob' }, 'invalid_request'],
      [{ grant_type: 'password', client_id: 'someone-else', username: 'bob', password: PASSWORD }, 'invalid_client'],
      [{ grant_type: 'password', username: 'bob', password: PASSWORD }, 'invalid_request'],
      [{ grant_type: 'refresh_token', client_id: IDE_CLIENT_ID, refresh_token: 'clrt_made-up' }, 'invalid_grant'],
      [{ grant_type: 'password', client_id: IDE_CLIENT_ID, username: 'bob', password: PASSWORD, scope: 'bad"scope' }, 'invalid_scope'],
    ];
    for (const [form, error] of cases) {
      const res = await tokenRequest(baseUrl, form);
      expect({ form, status: res.status, error: res.body.error }).toEqual({ form, status: 400, error });
    }
    const json = await http<{ error: string }>(baseUrl, 'POST', '/oauth/token', { grant_type: 'password', client_id: IDE_CLIENT_ID, username: 'bob', password: PASSWORD });
    expect(json.status).toBe(400);
    expect(json.body.error).toBe('invalid_request');
    const repeated = await http<{ error: string }>(baseUrl, 'POST', '/oauth/token', 'grant_type=password&grant_type=password&client_id=codelab-flutter-app', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(repeated.body.error).toBe('invalid_request');
  });

  it('limits attempts per user name: 429 with Retry-After, even for the right password', async () => {
    const { baseUrl } = app.running;
    for (let i = 0; i < 5; i++) expect((await passwordGrant(baseUrl, 'limited', `wrong-${i}-password`)).status).toBe(401);
    const limited = await passwordGrant(baseUrl, 'limited', PASSWORD);
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('rate_limit_exceeded');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await passwordGrant(baseUrl, 'alice', PASSWORD)).status).toBe(200);
  });

  it('refuses a header-less socket to a client-chosen, temporary or unknown id', async () => {
    const { baseUrl, wsUrl } = app.running;
    const token = (await passwordGrant(baseUrl, 'alice', PASSWORD)).body.access_token;
    const chosen = await http(baseUrl, 'POST', '/api/v1/sessions', { session_id: 'alice-chose-this' }, bearer(token));
    expect(chosen.status).toBe(201);
    expect(await TestSocket.refused(`${wsUrl}/api/v1/ws/alice-chose-this`)).toBe(401);
    expect(await TestSocket.refused(`${wsUrl}/ws/new_1739091234567`)).toBe(401);
    expect(await TestSocket.refused(`${wsUrl}/api/v1/ws/3f1c2d6e-8a7b-4c1d-9e2f-0a1b2c3d4e5f`)).toBe(401);
    // A wrong credential is not rescued by the capability.
    const serverMade = await http<{ id: string }>(baseUrl, 'POST', '/api/v1/sessions', {}, bearer(token));
    expect(await TestSocket.refused(`${wsUrl}/api/v1/ws/${serverMade.body.id}`, bearer('not-a-token'))).toBe(401);
    // With the bearer, the client-chosen id works as before.
    const socket = await app.open('/api/v1/ws/alice-chose-this', bearer(token));
    expect((await socket.request({ type: 'user_message', content: 'hello' })).at(-1)).toMatchObject({ is_final: true });
  });

  it('tokens work on SSE and with ?access_token= on the socket; a disabled user can neither log in nor refresh', async () => {
    const { baseUrl, wsUrl } = app.running;
    const login = await passwordGrant(baseUrl, 'leaving', PASSWORD);
    const sse = await fetch(`${baseUrl}/api/v1/agent/message/stream`, {
      method: 'POST',
      headers: { ...bearer(login.body.access_token), 'content-type': 'application/json' },
      body: JSON.stringify({ message: { type: 'user_message', content: 'hello over sse' } }),
    });
    expect(sse.status).toBe(200);
    expect(await sse.text()).toContain('"type":"assistant_message"');
    const socket = await TestSocket.open(`${wsUrl}/ws/new_1?access_token=${login.body.access_token}`);
    await socket.close();

    await app.running.app.get(UsersService).disable('leaving');
    expect((await passwordGrant(baseUrl, 'leaving', PASSWORD)).status).toBe(401);
    expect((await refreshGrant(baseUrl, login.body.refresh_token)).body.error).toBe('invalid_grant');
  });

  it('rotates keys: the new kid signs, the old one still verifies until pruned', async () => {
    const { baseUrl } = app.running;
    const before = await passwordGrant(baseUrl, 'bob', PASSWORD);
    const oldKid = decodeProtectedHeader(before.body.access_token).kid;
    const keys = app.running.app.get(SigningKeys);
    const newKid = await keys.rotate();
    expect(newKid).not.toBe(oldKid);
    const after = await passwordGrant(baseUrl, 'bob', PASSWORD);
    expect(decodeProtectedHeader(after.body.access_token).kid).toBe(newKid);
    const jwks = await http<{ keys: { kid: string }[] }>(baseUrl, 'GET', '/.well-known/jwks.json');
    expect(jwks.body.keys.map((k) => k.kid).sort()).toEqual([oldKid, newKid].sort());
    expect((await http(baseUrl, 'GET', '/api/v1/sessions', undefined, bearer(before.body.access_token))).status).toBe(200);
    expect(await keys.prune(60_000)).toEqual([]);
    expect(await keys.prune(0)).toEqual([oldKid]);
    expect((await http(baseUrl, 'GET', '/api/v1/sessions', undefined, bearer(before.body.access_token))).status).toBe(401);
    expect((await http(baseUrl, 'GET', '/api/v1/sessions', undefined, bearer(after.body.access_token))).status).toBe(200);
  });
});

describe('Built-in login: attempts per address (e2e)', () => {
  const app = useTestApp(() => ({ AUTH_LOGIN_ENABLED: 'true', AUTH_LOGIN_ATTEMPTS_PER_MINUTE_PER_ADDRESS: '3' }));

  it('answers 429 once one address tried too often, whatever the user names', async () => {
    const { baseUrl } = app.running;
    for (const name of ['u1', 'u2', 'u3']) expect((await passwordGrant(baseUrl, name, PASSWORD)).status).toBe(401);
    const res = await passwordGrant(baseUrl, 'u4', PASSWORD);
    expect(res.status).toBe(429);
    expect(res.body.error).toBe('rate_limit_exceeded');
  });

});
