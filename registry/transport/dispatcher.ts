import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { buildConnector, EnvHttpProxyAgent, type Dispatcher } from 'undici';

/** `DispatcherOptions` configure the one HTTP connection pool all registry traffic shares. */
export interface DispatcherOptions {
  /** Extra CA certificates (PEM) trusted on top of the system roots and NODE_EXTRA_CA_CERTS. */
  caCerts?: readonly (string | Buffer)[] | undefined;
  /** Hosts (`host` or `host:port`) whose TLS certificate is not verified (`--insecure-registry`). */
  skipVerifyHosts?: ReadonlySet<string> | undefined;
  /** Connections per origin; blob transfers are bounded separately by the client's p-limit. */
  connections?: number | undefined;
}

/**
 * `trustedCas` builds the CA list. Passing `ca` to TLS replaces Node's defaults, so the system
 * roots and NODE_EXTRA_CA_CERTS (which Node only adds to its own default) must be added back.
 */
export function trustedCas(extra: readonly (string | Buffer)[] = [], env: NodeJS.ProcessEnv = process.env): string[] | undefined {
  if (extra.length === 0) return undefined;
  const cas: string[] = [...rootCertificates];
  const file = env['NODE_EXTRA_CA_CERTS'];
  if (file) {
    try {
      cas.push(readFileSync(file, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; do the same by ignoring it.
    }
  }
  for (const c of extra) cas.push(typeof c === 'string' ? c : c.toString('utf8'));
  return cas;
}

/**
 * `createDispatcher` returns one undici dispatcher for every registry: `EnvHttpProxyAgent`
 * honours HTTP(S)_PROXY/NO_PROXY, and a connector that turns certificate checks off only for
 * the hosts named insecure, so a single pool serves verified and insecure registries.
 */
export function createDispatcher(o: DispatcherOptions = {}): Dispatcher {
  const ca = trustedCas(o.caCerts ?? []);
  const tls = ca ? { ca } : {};
  const verified = buildConnector({ ...tls });
  const unverified = buildConnector({ ...tls, rejectUnauthorized: false });
  const skip = o.skipVerifyHosts ?? new Set<string>();
  const connect: buildConnector.connector = (opts, cb) => {
    const hostPort = opts.port ? `${opts.hostname}:${opts.port}` : opts.hostname;
    const insecure = skip.has(hostPort) || skip.has(opts.hostname);
    return (insecure ? unverified : verified)(opts, cb);
  };
  return new EnvHttpProxyAgent({
    connect,
    requestTls: tls,
    connections: o.connections ?? 8,
    keepAliveTimeout: 10_000,
  });
}
