import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, JWK, KeyLike, SignJWT } from 'jose';

export interface SigningKey {
  readonly kid: string;
  readonly alg: 'RS256' | 'ES256';
  readonly privateKey: KeyLike;
  /** The public half, as served in the JWKS (e.g. to forge an HS256 token "signed" with it). */
  readonly publicKey: KeyLike;
}

/** A JWKS endpoint on 127.0.0.1 serving RS256 and ES256 public keys, plus a signer for tokens. */
export class JwksServer {
  requests = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly keys: { rs: SigningKey; es: SigningKey },
  ) {}

  static async start(): Promise<JwksServer> {
    const rs = await generateKeyPair('RS256');
    const es = await generateKeyPair('ES256');
    const publicJwks: JWK[] = [
      { ...(await exportJWK(rs.publicKey)), kid: 'rs-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(es.publicKey)), kid: 'es-1', alg: 'ES256', use: 'sig' },
    ];
    let holder: JwksServer | undefined;
    const server = createServer((req, res) => {
      if (holder) holder.requests += 1;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: publicJwks }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder = new JwksServer(server, `http://127.0.0.1:${port}/.well-known/jwks.json`, {
      rs: { kid: 'rs-1', alg: 'RS256', privateKey: rs.privateKey, publicKey: rs.publicKey },
      es: { kid: 'es-1', alg: 'ES256', privateKey: es.privateKey, publicKey: es.publicKey },
    });
    return holder;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

export interface TokenOptions {
  readonly sub?: string;
  readonly type?: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** `exp` relative to now (default 15 min); null leaves `exp` out. */
  readonly expiresIn?: string | null;
}

/** Signs a token like the older auth-service's (`sub`, `type:"access"`, iss/aud, 15 min). */
export async function signToken(key: SigningKey | Uint8Array, options: TokenOptions): Promise<string> {
  const claims: Record<string, unknown> = {};
  if (options.type !== undefined) claims['type'] = options.type;
  let jwt = new SignJWT(claims).setIssuedAt();
  if (options.expiresIn !== null) jwt = jwt.setExpirationTime(options.expiresIn ?? '15m');
  if (options.sub !== undefined) jwt = jwt.setSubject(options.sub);
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  if (key instanceof Uint8Array) return jwt.setProtectedHeader({ alg: 'HS256' }).sign(key);
  return jwt.setProtectedHeader({ alg: key.alg, kid: key.kid }).sign(key.privateKey);
}
