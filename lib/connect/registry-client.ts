import { readFileSync } from 'node:fs';
import { OcibakeError } from '../errors.js';
import { RegistryClient, type RegistryClientOptions } from '../../registry/index.js';

/** `RegistryFlags` are the registry options the CLI exposes (and `ocibake build` shares). */
export interface RegistryFlags {
  /** Registries reached over plain HTTP or unverified TLS (`--insecure-registry`, repeatable). */
  insecureRegistries?: readonly string[] | undefined;
  /** PEM files of extra CAs (`--ca-cert`). NODE_EXTRA_CA_CERTS is honoured as well. */
  caCertFiles?: readonly string[] | undefined;
  /** Blob transfers in flight (`--concurrency`), default 6. */
  concurrency?: number | undefined;
  /** Per-request timeout in ms. */
  timeoutMs?: number | undefined;
  /** Extra client options for library callers (credentials, keychain, retry, hosts). */
  client?: RegistryClientOptions | undefined;
}

/**
 * `createRegistryClient` builds the one client (one connection pool, one token cache) a command
 * uses for every registry it talks to. Close it when done.
 */
export function createRegistryClient(flags: RegistryFlags = {}): RegistryClient {
  const caCerts = (flags.caCertFiles ?? []).map((f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch (err) {
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `reading CA certificate ${f}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, {
        hint: '--ca-cert takes a PEM file',
      });
    }
  });
  return new RegistryClient({
    ...flags.client,
    insecureRegistries: [...(flags.insecureRegistries ?? []), ...(flags.client?.insecureRegistries ?? [])],
    caCerts: [...caCerts, ...(flags.client?.caCerts ?? [])],
    concurrency: flags.concurrency ?? flags.client?.concurrency,
    timeoutMs: flags.timeoutMs ?? flags.client?.timeoutMs,
  });
}
