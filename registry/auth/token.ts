import { request, type Dispatcher } from 'undici';
import { readCapped } from '../../lib/io/read-capped.js';
import { authError, registryError } from '../errors.js';

const MAX_TOKEN_BYTES = 1 << 20;
import { isTemporaryNetworkError } from '../transport/retry.js';
import type { Challenge } from './challenge.js';
import type { Credential } from './credential.js';

/** `BearerToken` is a token server's answer, with when it stops being worth reusing. */
export interface BearerToken {
  token: string;
  expiresAt: number;
}

/** `TokenRequest` is everything needed to ask a token server for a scoped token. */
export interface TokenRequest {
  registry: string;
  challenge: Challenge;
  scopes: readonly string[];
  credential: Credential | undefined;
  dispatcher: Dispatcher;
  userAgent: string;
  timeoutMs: number;
}

/**
 * `fetchToken` runs the distribution token flow (docs/spec/auth/token.md): GET the realm with
 * service and scope parameters, Basic-authenticated when we have a password; with an identity
 * token, the OAuth2 refresh-token POST (docs/spec/auth/oauth.md). Errors never echo credentials.
 */
export async function fetchToken(r: TokenRequest): Promise<BearerToken> {
  const realm = r.challenge.params['realm'];
  if (!realm) throw registryError(`${r.registry} sent a Bearer challenge without a realm`, { registry: r.registry, status: 401 });
  const url = new URL(realm);
  const service = r.challenge.params['service'];
  const headers: Record<string, string> = { 'user-agent': r.userAgent, accept: 'application/json' };
  let method: 'GET' | 'POST' = 'GET';
  let body: string | undefined;
  if (r.credential?.identityToken) {
    method = 'POST';
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: r.credential.identityToken, client_id: 'ocibake' });
    if (service) form.set('service', service);
    if (r.scopes.length) form.set('scope', r.scopes.join(' '));
    body = form.toString();
    headers['content-type'] = 'application/x-www-form-urlencoded';
  } else {
    if (service) url.searchParams.set('service', service);
    for (const s of r.scopes) url.searchParams.append('scope', s);
    if (r.credential?.username !== undefined && r.credential.password !== undefined) {
      headers['authorization'] = `Basic ${Buffer.from(`${r.credential.username}:${r.credential.password}`).toString('base64')}`;
    }
  }
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, { method, headers, body: body ?? null, dispatcher: r.dispatcher, headersTimeout: r.timeoutMs, bodyTimeout: r.timeoutMs });
  } catch (err) {
    throw registryError(`requesting a token for ${r.registry} from ${url.origin}: ${(err as Error).message}`, {
      registry: r.registry,
      method,
      cause: err,
      temporary: isTemporaryNetworkError(err),
    });
  }
  // A token is a few kilobytes; a token server that sends more is not one (never read it all into memory).
  const text = (
    await readCapped(res.body, MAX_TOKEN_BYTES, () =>
      registryError(`token server ${url.origin} for ${r.registry} sent more than ${MAX_TOKEN_BYTES} bytes`, {
        registry: r.registry,
        method,
        status: res.statusCode,
      }),
    )
  ).toString('utf8');
  if (res.statusCode === 401 || res.statusCode === 403) {
    throw authError(`unauthorized: authentication to ${r.registry} failed (token server ${url.origin} answered ${res.statusCode})`, {
      registry: r.registry,
      method,
      status: res.statusCode,
    });
  }
  if (res.statusCode !== 200) {
    throw registryError(`token server ${url.origin} for ${r.registry} answered ${res.statusCode}`, { registry: r.registry, method, status: res.statusCode });
  }
  let doc: { token?: unknown; access_token?: unknown; expires_in?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw registryError(`token server ${url.origin} for ${r.registry} sent a body that is not JSON`, { registry: r.registry, method, status: 200 });
  }
  // `null`, a number or an array is valid JSON too: reading `.token` of it would be a TypeError.
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw registryError(`token server ${url.origin} for ${r.registry} sent JSON that is not an object`, { registry: r.registry, method, status: 200 });
  }
  const token = typeof doc.token === 'string' ? doc.token : typeof doc.access_token === 'string' ? doc.access_token : undefined;
  if (!token) throw registryError(`token server ${url.origin} for ${r.registry} sent no token`, { registry: r.registry, method, status: 200 });
  // The spec's default lifetime is 60 s; renew 10 s early so a token never expires mid-request.
  const lifetime = typeof doc.expires_in === 'number' && doc.expires_in > 0 ? doc.expires_in : 60;
  return { token, expiresAt: Date.now() + Math.max(5, lifetime - 10) * 1000 };
}
