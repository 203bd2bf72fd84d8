import { request, type Dispatcher } from 'undici';
import { apiHost, isLoopbackRegistry } from '../reference.js';

/** `HostConfig` overrides how one registry is reached. */
export interface HostConfig {
  /** Force the scheme; otherwise loopback and insecure registries are probed (HTTP first for loopback). */
  scheme?: 'http' | 'https' | undefined;
  /** Accept any TLS certificate and allow plain HTTP (Docker's `insecure-registries`). */
  insecure?: boolean | undefined;
}

/**
 * `SchemeResolver` finds the origin (`scheme://host`) a registry's API answers on, once per
 * registry. Like Docker, localhost and 127.0.0.0/8 default to plain HTTP; an insecure registry
 * is tried over HTTPS first. A probe falls back when the first scheme cannot connect or when a
 * TLS server answers the plain-HTTP probe with Go's "Client sent an HTTP request to an HTTPS server".
 */
export class SchemeResolver {
  readonly #hosts: ReadonlyMap<string, HostConfig>;
  readonly #dispatcher: Dispatcher;
  readonly #cache = new Map<string, Promise<string>>();

  constructor(hosts: ReadonlyMap<string, HostConfig>, dispatcher: Dispatcher) {
    this.#hosts = hosts;
    this.#dispatcher = dispatcher;
  }

  /** `origin` resolves the registry's API origin, e.g. `https://registry-1.docker.io`. */
  origin(registry: string): Promise<string> {
    let o = this.#cache.get(registry);
    if (!o) {
      o = this.#resolve(registry);
      this.#cache.set(registry, o);
    }
    return o;
  }

  async #resolve(registry: string): Promise<string> {
    const host = apiHost(registry);
    const cfg = this.#hosts.get(registry);
    if (cfg?.scheme) return `${cfg.scheme}://${host}`;
    const loopback = isLoopbackRegistry(registry);
    if (!loopback && !cfg?.insecure) return `https://${host}`;
    const order = loopback ? ['http', 'https'] : ['https', 'http'];
    for (const scheme of order) {
      if (await this.#answers(`${scheme}://${host}`)) return `${scheme}://${host}`;
    }
    return `${order[0]}://${host}`;
  }

  async #answers(origin: string): Promise<boolean> {
    try {
      const res = await request(`${origin}/v2/`, { method: 'GET', dispatcher: this.#dispatcher, headersTimeout: 5000, bodyTimeout: 5000 });
      const text = await res.body.text();
      return !(res.statusCode === 400 && /HTTP request to an HTTPS server/i.test(text));
    } catch (err) {
      // A certificate problem means the server does speak TLS: keep HTTPS so the real error
      // (and its --ca-cert hint) surfaces, instead of a confusing plain-HTTP 400.
      return origin.startsWith('https:') && isCertificateError(err);
    }
  }
}

function isCertificateError(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/.test(code)) return true;
  }
  return false;
}
