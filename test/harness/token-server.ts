// A token server of ours for distribution's token auth (docs/spec/auth/token.md): it checks
// Basic credentials and issues RS256 JWTs whose x5c header carries the signing certificate,
// which the registry verifies against `auth.token.rootcertbundle`.
import { createServer, type Server } from 'node:http';
import { createPrivateKey, randomUUID, sign, X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** What a token server needs and what it records. */
export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** Every token request's scopes, in order ("" for a request without scope). */
  requests: { scopes: string[]; user: string | undefined; granted: boolean }[];
  stop(): Promise<void>;
}

/**
 * `startTokenServer` listens on 127.0.0.1 (random port). Users in `users` may pull and push;
 * anonymous callers get pull only when `anonymousPull`; a wrong password is a 401.
 */
export async function startTokenServer(o: {
  certPem: string;
  keyPem: string;
  users: Record<string, string>;
  anonymousPull?: boolean;
  service?: string;
  issuer?: string;
  /** JWT lifetime; the response still advertises 300 s, so clients must recover through a 401. */
  jwtLifetimeSeconds?: number;
}): Promise<TokenServer> {
  const service = o.service ?? 'ocibake-test-registry';
  const issuer = o.issuer ?? 'ocibake-test-issuer';
  const key = createPrivateKey(o.keyPem);
  const der = new X509Certificate(o.certPem).raw.toString('base64');
  const requests: TokenServer['requests'] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/token') {
      res.writeHead(404).end();
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    let user: string | undefined;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Basic ')) {
      const [u, ...p] = Buffer.from(auth.slice(6), 'base64').toString('utf8').split(':');
      if (u === undefined || o.users[u] === undefined || o.users[u] !== p.join(':')) {
        requests.push({ scopes, user: u, granted: false });
        res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] }));
        return;
      }
      user = u;
    }
    const access = scopes.flatMap((s) => {
      const [type, name, actions] = s.split(':');
      if (type !== 'repository' || !name || !actions) return [];
      const allowed = actions.split(',').filter((a) => (user ? a === 'pull' || a === 'push' : o.anonymousPull && a === 'pull'));
      return [{ type, name, actions: allowed }];
    });
    requests.push({ scopes, user, granted: true });
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [der] };
    const claims = {
      iss: issuer,
      sub: user ?? '',
      aud: service,
      exp: o.jwtLifetimeSeconds === undefined ? now + 300 : now + o.jwtLifetimeSeconds - LEEWAY,
      nbf: now - 2 * LEEWAY,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}`;
    const token = `${input}.${b64url(sign('sha256', Buffer.from(input), key))}`;
    res
      .writeHead(200, { 'content-type': 'application/json' })
      .end(JSON.stringify({ token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// distribution 2.8 accepts tokens up to 60 s past `exp` (token.go Leeway); short-lived test tokens
// subtract it so they really expire after jwtLifetimeSeconds.
const LEEWAY = 60;

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}
