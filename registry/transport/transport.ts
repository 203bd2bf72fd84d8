import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { OcibakeError } from '../../lib/errors.js';
import { Authenticator } from '../auth/authenticator.js';
import type { Keychain } from '../auth/credential.js';
import { type RegistryError, registryError, isTemporaryStatus } from '../errors.js';
import { apiHost } from '../reference.js';
import { createDispatcher } from './dispatcher.js';
import { parseDiagnostics, readErrorBody, redactUrl } from './errors-body.js';
import { DEFAULT_RETRY, type RetryPolicy, backoffMs, isTemporaryNetworkError, retryAfterMs, sleep } from './retry.js';
import { type HostConfig, SchemeResolver } from './scheme.js';

/** `RequestBody` is bytes or a factory (both replayable on retry) or a one-shot stream. */
export type RequestBody = Uint8Array | string | (() => Readable) | Readable;

/** `HttpRequest` is one registry API call, described without knowing the registry's scheme. */
export interface HttpRequest {
  registry: string;
  repository?: string | undefined;
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** An API path (`/v2/…`) or an absolute URL (an upload `Location`). */
  path: string;
  headers?: Record<string, string> | undefined;
  body?: RequestBody | undefined;
  scopes: readonly string[];
  /** Statuses that are success for this call; anything else is an error. */
  expect: readonly number[];
  /** Follow 3xx (blob GETs go to storage backends); Authorization never crosses hosts. */
  followRedirects?: boolean | undefined;
  signal?: AbortSignal | undefined;
  /** What the call is for, in gerund form, for error messages: `fetching manifest latest`. */
  what: string;
}

/** `HttpResponse` is a response with a status the caller expected. The body must be consumed. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  url: URL;
}

/** `TransportOptions` configure HTTP for all registries. */
export interface TransportOptions {
  keychain: Keychain;
  hosts?: ReadonlyMap<string, HostConfig> | undefined;
  caCerts?: readonly (string | Buffer)[] | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  /** Milliseconds to wait for response headers (per request); default 60 s. */
  timeoutMs?: number | undefined;
  /** Milliseconds a response body may go without a byte (an idle timeout, not a total); default `timeoutMs`. */
  bodyTimeoutMs?: number | undefined;
  userAgent?: string | undefined;
  dispatcher?: Dispatcher | undefined;
}

/** `TransportStats` counts traffic, so tests and benchmarks can assert on it. */
export interface TransportStats {
  requests: Record<string, number>;
  retries: number;
  authRetries: number;
  /** Blob bytes handed to upload requests (monolithic PUT or PATCH bodies). */
  uploadedBytes: number;
}

/**
 * `Transport` sends registry API requests: it picks the scheme, adds Authorization (learning
 * challenges on 401), retries temporary failures with backoff + jitter and Retry-After, applies
 * per-request timeouts, follows redirects without leaking credentials, and turns failures into
 * `RegistryError`s. It is the ggcr transport stack (ping, bearer, retry, error) in one place.
 */
export class Transport {
  readonly auth: Authenticator;
  readonly dispatcher: Dispatcher;
  readonly stats: TransportStats = { requests: {}, retries: 0, authRetries: 0, uploadedBytes: 0 };
  readonly #schemes: SchemeResolver;
  readonly #retry: RetryPolicy;
  readonly #timeoutMs: number;
  readonly #bodyTimeoutMs: number;
  readonly #userAgent: string;
  readonly #ownsDispatcher: boolean;

  readonly #options: TransportOptions;

  constructor(o: TransportOptions) {
    this.#options = o;
    const hosts = o.hosts ?? new Map<string, HostConfig>();
    const skip = new Set([...hosts].filter(([, c]) => c.insecure).map(([h]) => apiHost(h)));
    this.#ownsDispatcher = o.dispatcher === undefined;
    this.dispatcher = o.dispatcher ?? createDispatcher({ caCerts: o.caCerts, skipVerifyHosts: skip });
    this.#retry = { ...DEFAULT_RETRY, ...o.retry };
    this.#timeoutMs = o.timeoutMs ?? 60_000;
    // `--timeout` bounds a body that stalls mid-download as well as a server that never answers:
    // a download that stops sending is abandoned after that long without a byte, then resumed.
    this.#bodyTimeoutMs = o.bodyTimeoutMs ?? this.#timeoutMs;
    this.#userAgent = o.userAgent ?? 'ocibake/0.1';
    this.#schemes = new SchemeResolver(hosts, this.dispatcher);
    this.auth = new Authenticator({ keychain: o.keychain, dispatcher: this.dispatcher, userAgent: this.#userAgent, timeoutMs: this.#timeoutMs });
  }

  /** `fork` is a transport with another keychain sharing this one's pool and settings (for login). */
  fork(keychain: Keychain): Transport {
    return new Transport({ ...this.#options, keychain, dispatcher: this.dispatcher });
  }

  /** `origin` is the registry's API origin (`http://127.0.0.1:5000`). */
  origin(registry: string): Promise<string> {
    return this.#schemes.origin(registry);
  }

  /** `send` performs a request, retrying what is worth retrying; it resolves only on an expected status. */
  async send(req: HttpRequest): Promise<HttpResponse> {
    const origin = await this.origin(req.registry);
    const registryHost = new URL(origin).host;
    let url = new URL(req.path, origin);
    let attempt = 0;
    let authRetries = 0;
    let redirects = 0;
    let usedOneShot = false;
    for (;;) {
      if (req.body instanceof Readable && usedOneShot) throw notReplayable(req, url);
      const body = typeof req.body === 'function' ? req.body() : req.body;
      if (req.body instanceof Readable) usedOneShot = true;
      const headers: Record<string, string> = { 'user-agent': this.#userAgent, ...req.headers };
      const sameHost = url.host === registryHost;
      const authorization = sameHost ? await this.auth.header(req.registry, req.scopes) : undefined;
      if (authorization) headers['authorization'] = authorization;
      this.stats.requests[req.method] = (this.stats.requests[req.method] ?? 0) + 1;
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, {
          method: req.method,
          headers,
          body: body ?? null,
          dispatcher: this.dispatcher,
          headersTimeout: this.#timeoutMs,
          bodyTimeout: this.#bodyTimeoutMs,
          signal: req.signal,
        });
      } catch (err) {
        if (req.signal?.aborted) throw new OcibakeError('OCIBAKE_ABORTED', `${req.what}: aborted`, { cause: err });
        const temporary = isTemporaryNetworkError(err);
        if (temporary && attempt + 1 < this.#retry.attempts && !(req.body instanceof Readable)) {
          await this.#backoff(attempt++, undefined, req.signal);
          continue;
        }
        throw registryError(`${req.what}: ${req.method} ${redactUrl(url)}: ${describeNetworkError(err)}`, {
          registry: req.registry,
          repository: req.repository,
          method: req.method,
          cause: err,
          temporary,
          hint: tlsHint(err, req.registry),
        });
      }
      const status = res.statusCode;
      if (status === 401 && sameHost && authRetries < 2) {
        const www = header(res.headers, 'www-authenticate');
        if (await this.auth.onUnauthorized(req.registry, www, req.scopes, authorization !== undefined)) {
          await res.body.dump();
          if (req.body instanceof Readable) throw notReplayable(req, url);
          authRetries++;
          this.stats.authRetries++;
          continue;
        }
      }
      if (req.followRedirects && [301, 302, 303, 307, 308].includes(status)) {
        const location = header(res.headers, 'location');
        await res.body.dump();
        if (!location || ++redirects > 10)
          throw registryError(`${req.what}: too many or broken redirects`, { registry: req.registry, method: req.method, status });
        url = new URL(location, url);
        continue;
      }
      if (req.expect.includes(status)) return { status, headers: res.headers, body: res.body, url };
      const text = await readErrorBody(res.body);
      const diagnostics = parseDiagnostics(text);
      if (status === 401 || status === 403) throw await this.auth.unauthorized(req.registry, req.repository, req.method, status, diagnostics);
      if (isTemporaryStatus(status) && attempt + 1 < this.#retry.attempts && !(req.body instanceof Readable)) {
        await this.#backoff(attempt++, retryAfterMs(header(res.headers, 'retry-after')), req.signal);
        continue;
      }
      const detail = diagnostics.length ? `: ${diagnostics.join('; ')}` : '';
      throw registryError(`${req.what}: ${req.method} ${redactUrl(url)} answered ${status}${detail}`, {
        registry: req.registry,
        repository: req.repository,
        method: req.method,
        status,
        diagnostics,
      });
    }
  }

  async #backoff(attempt: number, retryAfter: number | undefined, signal: AbortSignal | undefined): Promise<void> {
    this.stats.retries++;
    await sleep(backoffMs(this.#retry, attempt, retryAfter), signal);
  }

  /** `close` releases connections (only a dispatcher this transport created). */
  async close(): Promise<void> {
    if (this.#ownsDispatcher) await this.dispatcher.close();
  }
}

/** `header` reads a response header as one string. */
export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function describeNetworkError(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.cause?.code ?? e.code;
  const msg = e.cause?.message ?? e.message ?? String(err);
  return code ? `${code} (${msg})` : msg;
}

function notReplayable(req: HttpRequest, url: URL): RegistryError {
  return registryError(`${req.what}: ${req.method} ${redactUrl(url)} failed and its streamed body cannot be sent again`, {
    registry: req.registry,
    repository: req.repository,
    method: req.method,
    temporary: true,
  });
}

function tlsHint(err: unknown, registry: string): string | undefined {
  const text = describeNetworkError(err);
  if (!/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(text)) return undefined;
  return `the TLS certificate of ${registry} is not trusted: pass its CA with --ca-cert FILE (or NODE_EXTRA_CA_CERTS), or --insecure-registry ${registry}`;
}
