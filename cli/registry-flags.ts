import type { Argv } from 'yargs';
import { createRegistryClient, type RegistryClient } from '../lib/index.js';
import { repeatable } from './repeatable.js';

/** `RegistryArgs` are the connection flags every registry command shares. */
export interface RegistryArgs {
  'insecure-registry'?: string[] | undefined;
  'ca-cert'?: string[] | undefined;
  concurrency?: number | undefined;
  timeout?: number | undefined;
}

/** `withRegistryFlags` declares --insecure-registry, --ca-cert, --concurrency and --timeout. */
export function withRegistryFlags<T>(y: Argv<T>): Argv<T & RegistryArgs> {
  return y
    .option('insecure-registry', {
      ...repeatable,
      describe: 'reach this registry over plain HTTP or unverified TLS (repeatable); localhost and 127.0.0.1 default to HTTP',
    })
    .option('ca-cert', { ...repeatable, describe: 'trust this PEM CA certificate (repeatable); NODE_EXTRA_CA_CERTS is honoured too' })
    .option('concurrency', { type: 'number', describe: 'blob transfers in flight', default: 6 })
    .option('timeout', { type: 'number', describe: 'seconds to wait for a registry to answer, and for the next byte of a download that stalls', default: 60 });
}

/** `clientFrom` builds the registry client for parsed flags. */
export function clientFrom(a: RegistryArgs): RegistryClient {
  return createRegistryClient({
    insecureRegistries: a['insecure-registry'],
    caCertFiles: a['ca-cert'],
    concurrency: a.concurrency,
    timeoutMs: a.timeout === undefined ? undefined : a.timeout * 1000,
  });
}
