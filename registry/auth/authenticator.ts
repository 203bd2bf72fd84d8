import type { Dispatcher } from 'undici';
import { type AuthError, authError } from '../errors.js';
import { type Challenge, parseChallenge } from './challenge.js';
import type { Credential, Keychain } from './credential.js';
import { type BearerToken, fetchToken } from './token.js';

/** `AuthenticatorOptions` configure how Authorization headers are obtained. */
export interface AuthenticatorOptions {
  keychain: Keychain;
  dispatcher: Dispatcher;
  userAgent: string;
  timeoutMs: number;
}

/**
 * `Authenticator` turns (registry, scopes) into an Authorization header. It learns each
 * registry's scheme from its first 401 challenge, caches credentials per registry and bearer
 * tokens per (registry, scope set), and drops a token the registry rejects (refresh on 401).
 */
export class Authenticator {
  readonly #o: AuthenticatorOptions;
  readonly #challenges = new Map<string, Challenge>();
  readonly #credentials = new Map<string, Promise<Credential | undefined>>();
  readonly #tokens = new Map<string, Promise<BearerToken>>();
  /** Number of token requests made; tests use it to check reuse per scope. */
  tokenRequests = 0;

  constructor(o: AuthenticatorOptions) {
    this.#o = o;
  }

  /** `credential` resolves (once) what the keychain has for a registry. */
  credential(registry: string): Promise<Credential | undefined> {
    let c = this.#credentials.get(registry);
    if (!c) {
      c = this.#o.keychain.resolve(registry);
      this.#credentials.set(registry, c);
      c.catch(() => this.#credentials.delete(registry));
    }
    return c;
  }

  /** `header` returns the Authorization value for a request, or undefined to go anonymous. */
  async header(registry: string, scopes: readonly string[]): Promise<string | undefined> {
    const challenge = this.#challenges.get(registry);
    if (!challenge) return undefined;
    const cred = await this.credential(registry);
    if (challenge.scheme === 'basic') {
      if (cred?.username === undefined || cred.password === undefined) return undefined;
      return `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
    }
    if (challenge.scheme !== 'bearer') return undefined;
    if (cred?.registryToken) return `Bearer ${cred.registryToken}`;
    const key = tokenKey(registry, scopes);
    let t = this.#tokens.get(key);
    if (t) {
      const done = await t.catch(() => undefined);
      if (!done || done.expiresAt <= Date.now()) t = undefined;
    }
    if (!t) {
      this.tokenRequests++;
      t = fetchToken({ registry, challenge, scopes, credential: cred, ...this.#o });
      this.#tokens.set(key, t);
      t.catch(() => this.#tokens.delete(key));
    }
    return `Bearer ${(await t).token}`;
  }

  /**
   * `onUnauthorized` records the challenge of a 401 and forgets the rejected token. It returns
   * whether a retry can help: false when the registry rejected credentials it had just asked for.
   */
  async onUnauthorized(registry: string, wwwAuthenticate: string | undefined, scopes: readonly string[], sentAuth: boolean): Promise<boolean> {
    const ch = parseChallenge(wwwAuthenticate);
    if (!ch) return false;
    this.#challenges.set(registry, ch);
    this.#tokens.delete(tokenKey(registry, scopes));
    if (!sentAuth) return true;
    if (ch.scheme === 'basic') return false;
    // A bearer 401 after a token means it expired or lacked a scope: one fresh token is worth a try
    // (the transport allows one auth retry per request, so this cannot loop).
    return ch.scheme === 'bearer';
  }

  /** `unauthorized` builds the error for a final 401, naming the registry and nothing secret. */
  async unauthorized(registry: string, repository: string | undefined, method: string, status: number, diagnostics: string[]): Promise<AuthError> {
    const cred = await this.credential(registry).catch(() => undefined);
    const who = cred ? 'with the configured credentials' : 'anonymously';
    const verb = status === 403 ? 'denied' : 'unauthorized';
    return authError(`${verb}: ${method} on ${registry}${repository ? `/${repository}` : ''} failed ${who} (${status})`, {
      registry,
      repository,
      method,
      status,
      diagnostics,
    });
  }
}

function tokenKey(registry: string, scopes: readonly string[]): string {
  return `${registry}|${[...scopes].sort().join(' ')}`;
}
