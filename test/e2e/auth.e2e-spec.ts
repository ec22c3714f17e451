import { expect } from '@jest/globals';
import { exportJWK, exportSPKI, UnsecuredJWT } from 'jose';
import { createTestDatabase, TestDatabase } from '../utils/test-database';
import { http } from '../utils/http';
import { JwksServer, signToken } from '../utils/jwks-server';
import { RunningApp, startApp } from '../utils/test-app';
import { useTestApp } from '../utils/use-test-app';
import { Frame, TestSocket } from '../utils/ws-client';

const SECRET = 'test-secret-that-is-long-enough-for-hs256!';
const KEY_ALICE = 'alice-key-0123456789abcdef';
const KEY_BOB = 'bob-key-0123456789abcdef00';
const ISSUER = 'https://auth.codelab.local';
const AUDIENCE = 'codelab-api';

describe('Authentication and ownership (e2e)', () => {
  let db: TestDatabase;
  let jwks: JwksServer;
  let running: RunningApp;
  const secret = new TextEncoder().encode(SECRET);
  const sockets: TestSocket[] = [];
  const as = (key: string) => ({ 'x-api-key': key });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const call = <T = unknown>(method: string, path: string, headers: Record<string, string>, body?: unknown) =>
    http<T>(running.baseUrl, method, path, body, headers);
  const open = async (path: string, headers: Record<string, string> = {}) => {
    const socket = await TestSocket.open(`${running.wsUrl}${path}`, headers);
    sockets.push(socket);
    return socket;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    jwks = await JwksServer.start();
    running = await startApp(db.url, {
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWKS_URL: jwks.url,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_API_KEYS: `${KEY_ALICE}:alice,${KEY_BOB}:bob`,
    });
  });
  afterEach(async () => {
    await Promise.all(sockets.splice(0).map((s) => s.close()));
  });
  afterAll(async () => {
    await running.close();
    await jwks.close();
    await db.drop();
  });

  it('health stays public; every other route needs a credential (401 with WWW-Authenticate)', async () => {
    expect((await call('GET', '/health', {})).status).toBe(200);
    for (const [method, path] of [
      ['GET', '/api/v1/sessions'],
      ['POST', '/api/v1/sessions'],
      ['GET', '/api/v1/agents'],
      ['GET', '/api/v1/sessions/x/history'],
      ['POST', '/api/v1/agent/message/stream'],
    ] as const) {
      const res = await call<{ statusCode: number; message: string }>(method, path, {});
      expect({ path, status: res.status }).toEqual({ path, status: 401 });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.message).toMatch(/Authentication required/);
    }
  });

  it('has no built-in login unless AUTH_LOGIN_ENABLED=true', async () => {
    expect((await call('POST', '/oauth/token', as(KEY_ALICE))).status).toBe(404);
    expect((await call('GET', '/.well-known/jwks.json', as(KEY_ALICE))).status).toBe(404);
  });

  it('accepts HS256 tokens of the old auth-service and refuses bad ones with a reason', async () => {
    const good = await signToken(secret, { sub: 'carol', type: 'access', issuer: ISSUER, audience: AUDIENCE });
    expect((await call('GET', '/api/v1/sessions', bearer(good))).status).toBe(200);
    const cases: [string, Promise<string>, RegExp][] = [
      ['refresh token', signToken(secret, { sub: 'carol', type: 'refresh', issuer: ISSUER, audience: AUDIENCE }), /not an access token/],
      ['expired', signToken(secret, { sub: 'carol', issuer: ISSUER, audience: AUDIENCE, expiresIn: '-1m' }), /expired/],
      ['wrong audience', signToken(secret, { sub: 'carol', issuer: ISSUER, audience: 'other' }), /aud/],
      ['wrong issuer', signToken(secret, { sub: 'carol', issuer: 'https://evil', audience: AUDIENCE }), /iss/],
      ['no sub', signToken(secret, { issuer: ISSUER, audience: AUDIENCE }), /sub/],
      ['no exp (would never expire)', signToken(secret, { sub: 'carol', issuer: ISSUER, audience: AUDIENCE, expiresIn: null }), /the exp claim is missing/],
      ['wrong secret', signToken(new TextEncoder().encode('x'.repeat(40)), { sub: 'carol', issuer: ISSUER, audience: AUDIENCE }), /signature/],
      ['garbage', Promise.resolve('not.a.token'), /Invalid token/],
    ];
    for (const [name, token, why] of cases) {
      const res = await call<{ message: string }>('GET', '/api/v1/sessions', bearer(await token));
      expect({ name, status: res.status }).toEqual({ name, status: 401 });
      expect(res.body.message).toMatch(why);
    }
  });

  it('refuses unsigned tokens (alg "none", in any spelling)', async () => {
    const unsigned = new UnsecuredJWT({ type: 'access' })
      .setSubject('mallory')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('15m')
      .encode();
    const [, payload] = unsigned.split('.');
    const withAlg = (alg: string) => `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${payload}.`;
    for (const token of [unsigned, withAlg('None'), withAlg('NONE')]) {
      const res = await call<{ message: string }>('GET', '/api/v1/sessions', bearer(token));
      expect({ token, status: res.status }).toEqual({ token, status: 401 });
      expect(res.body.message).toMatch(/algorithm (none|None|NONE) is not accepted/);
    }
  });

  it('refuses an HS256 token whose HMAC key is the JWKS public key (algorithm confusion)', async () => {
    const publicKey = jwks.keys.rs.publicKey;
    const forged = async (hmacKey: string) =>
      signToken(new TextEncoder().encode(hmacKey), { sub: 'mallory', type: 'access', issuer: ISSUER, audience: AUDIENCE });
    for (const token of [await forged(await exportSPKI(publicKey)), await forged(JSON.stringify(await exportJWK(publicKey)))]) {
      const res = await call<{ message: string }>('GET', '/api/v1/sessions', bearer(token));
      expect(res.status).toBe(401);
      expect(res.body.message).toMatch(/signature does not verify/);
    }
  });

  it('accepts RS256 and ES256 tokens from the JWKS', async () => {
    for (const key of [jwks.keys.rs, jwks.keys.es]) {
      const token = await signToken(key, { sub: `jwks-${key.alg}`, type: 'access', issuer: ISSUER, audience: AUDIENCE });
      const res = await call('POST', '/api/v1/sessions', bearer(token), { session_id: `owned-by-${key.alg}` });
      expect(res.status).toBe(201);
    }
    expect(jwks.requests).toBeGreaterThanOrEqual(1);
    const wrongAudience = await signToken(jwks.keys.rs, { sub: 'x', issuer: ISSUER, audience: 'nope' });
    expect((await call('GET', '/api/v1/sessions', bearer(wrongAudience))).status).toBe(401);
  });

  it('accepts API keys and refuses unknown ones', async () => {
    expect((await call('GET', '/api/v1/sessions', as(KEY_ALICE))).status).toBe(200);
    expect((await call('GET', '/api/v1/sessions', as('wrong-key-0123456789abcdef'))).status).toBe(401);
  });

  it('authenticates the WebSocket upgrade by header or access_token, and refuses it with 401 otherwise', async () => {
    expect(await TestSocket.refused(`${running.wsUrl}/api/v1/ws/ws-auth`)).toBe(401);
    expect(await TestSocket.refused(`${running.wsUrl}/api/v1/ws/ws-auth?access_token=bad`)).toBe(401);
    const token = await signToken(secret, { sub: 'dave', type: 'access', issuer: ISSUER, audience: AUDIENCE });
    // The answer must be the agent's reply (routed on a session's first message), not an error frame,
    // which also ends with is_final.
    const answer = (reply: Frame[]) => ({ types: reply.map((f) => f.type), last: reply.at(-1) });
    const viaHeader = await open('/api/v1/ws/ws-auth', bearer(token));
    expect(answer(await viaHeader.request({ type: 'user_message', content: 'hi' }))).toEqual({
      types: ['agent_switched', 'assistant_message'],
      last: expect.objectContaining({ type: 'assistant_message', content: 'You said: hi', is_final: true }),
    });
    const viaQuery = await open(`/ws/ws-auth?access_token=${token}`);
    expect(answer(await viaQuery.request({ type: 'user_message', content: 'hi again' }))).toEqual({
      types: ['assistant_message'],
      last: expect.objectContaining({ type: 'assistant_message', content: 'You said: hi again', is_final: true }),
    });
    const viaKey = await open('/api/v1/ws/alice-ws', as(KEY_ALICE));
    expect(answer(await viaKey.request({ type: 'user_message', content: 'hello' }))).toEqual({
      types: ['agent_switched', 'assistant_message'],
      last: expect.objectContaining({ type: 'assistant_message', content: 'You said: hello', is_final: true }),
    });
  });

  it("isolates owners: another user's session is 404 on every route and on the socket", async () => {
    await call('POST', '/api/v1/sessions', as(KEY_ALICE), { session_id: 'alice-private' });
    const alice = await open('/api/v1/ws/alice-private', as(KEY_ALICE));
    await alice.request({ type: 'user_message', content: '/tool write_file {"path":"a.md","content":"x"}', agent_type: 'coder' });
    const list = await call<{ sessions: { id: string }[]; total: number }>('GET', '/api/v1/sessions', as(KEY_BOB));
    expect(list.body.sessions.map((s) => s.id)).not.toContain('alice-private');
    for (const [method, path, body] of [
      ['GET', '/api/v1/sessions/alice-private'],
      ['PATCH', '/api/v1/sessions/alice-private', { title: 'mine now' }],
      ['DELETE', '/api/v1/sessions/alice-private'],
      ['GET', '/api/v1/sessions/alice-private/history'],
      ['GET', '/api/v1/sessions/alice-private/pending-approvals'],
      ['GET', '/api/v1/agents/alice-private/current'],
      ['POST', '/api/v1/agent/message/stream', { session_id: 'alice-private', message: { type: 'user_message', content: 'x' } }],
    ] as const) {
      const res = await call(method, path, as(KEY_BOB), body);
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 404 });
    }
    expect(await TestSocket.refused(`${running.wsUrl}/api/v1/ws/alice-private`, as(KEY_BOB))).toBe(404);
    const mine = await call<{ message_count: number }>('GET', '/api/v1/sessions/alice-private/history', as(KEY_ALICE));
    expect(mine.body.message_count).toBe(2);
    const aliceList = await call<{ sessions: { id: string }[]; total: number }>('GET', '/api/v1/sessions', as(KEY_ALICE));
    expect(aliceList.body.sessions.map((s) => s.id)).toEqual(expect.arrayContaining(['alice-private', 'alice-ws']));
    expect(aliceList.body.total).toBe(aliceList.body.sessions.length);
  });

  it('temporary ids belong to their user: the same new_ id makes two sessions for two users', async () => {
    const a = await open('/api/v1/ws/new_shared', as(KEY_ALICE));
    const b = await open('/api/v1/ws/new_shared', as(KEY_BOB));
    const idA = (await a.request({ type: 'user_message', content: 'a' }))[0]?.['session_id'];
    const idB = (await b.request({ type: 'user_message', content: 'b' }))[0]?.['session_id'];
    expect(idA).not.toEqual(idB);
    expect((await call('GET', `/api/v1/sessions/${String(idA)}`, as(KEY_ALICE))).status).toBe(200);
    expect((await call('GET', `/api/v1/sessions/${String(idA)}`, as(KEY_BOB))).status).toBe(404);
  });
});


describe('Authentication with only a JWKS configured (e2e)', () => {
  let jwks: JwksServer;
  beforeAll(async () => {
    jwks = await JwksServer.start();
  });
  afterAll(async () => {
    await jwks.close();
  });
  const app = useTestApp(() => ({ AUTH_JWKS_URL: jwks.url }));

  it('refuses HS256 tokens outright, also one whose HMAC key is the JWKS public key', async () => {
    const sessions = (token: string) =>
      http<{ message: string }>(app.running.baseUrl, 'GET', '/api/v1/sessions', undefined, { authorization: `Bearer ${token}` });
    const good = await signToken(jwks.keys.rs, { sub: 'erin', type: 'access' });
    expect((await sessions(good)).status).toBe(200);
    const publicKey = jwks.keys.rs.publicKey;
    for (const hmacKey of [await exportSPKI(publicKey), JSON.stringify(await exportJWK(publicKey))]) {
      const forged = await signToken(new TextEncoder().encode(hmacKey), { sub: 'mallory', type: 'access' });
      const res = await sessions(forged);
      expect(res.status).toBe(401);
      expect(res.body.message).toBe('Invalid token: algorithm HS256 is not accepted');
    }
    const noExp = await signToken(jwks.keys.es, { sub: 'erin', type: 'access', expiresIn: null });
    expect(await sessions(noExp).then((r) => [r.status, r.body.message])).toEqual([401, 'Invalid token: the exp claim is missing']);
  });
});
