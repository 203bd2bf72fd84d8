import { OcibakeError, type ErrorCode, type OcibakeErrorOptions } from '../lib/errors.js';

/** `RegistryErrorInit` is what a failed registry exchange is described by (never a credential). */
export interface RegistryErrorInit extends OcibakeErrorOptions {
  registry: string;
  repository?: string | undefined;
  method?: string | undefined;
  status?: number | undefined;
  /** Distribution's `errors[]` codes and messages, e.g. `BLOB_UNKNOWN: blob unknown to registry`. */
  diagnostics?: string[] | undefined;
  hint?: string | undefined;
  cause?: unknown;
  /** Whether trying again may succeed (5xx, 408, 429, resets, timeouts). */
  temporary?: boolean | undefined;
}

/**
 * `RegistryError` is a failed exchange with a registry. Its message names the registry, the
 * repository, the method and the status; it never contains an Authorization header or a password.
 */
export class RegistryError extends OcibakeError {
  readonly registry: string;
  readonly repository: string | undefined;
  readonly method: string | undefined;
  readonly status: number | undefined;
  readonly diagnostics: string[];
  readonly temporary: boolean;

  constructor(code: ErrorCode, message: string, init: RegistryErrorInit) {
    super(code, message, init);
    this.registry = init.registry;
    this.repository = init.repository;
    this.method = init.method;
    this.status = init.status;
    this.diagnostics = init.diagnostics ?? [];
    this.temporary = init.temporary ?? isTemporaryStatus(init.status);
  }
}

/** `registryError` words a `RegistryError`, with the code and hint its status implies. */
export function registryError(message: string, init: RegistryErrorInit): RegistryError {
  return new RegistryError(codeForDiagnostics(init.diagnostics) ?? codeForStatus(init.status), message, {
    ...init,
    hint: init.hint ?? hintForStatus(init.status, init.registry),
  });
}

/** Distribution's error codes say more than the status: a 404 for a blob is BLOB_UNKNOWN, a 400 can be DIGEST_INVALID. */
function codeForDiagnostics(diagnostics: readonly string[] | undefined): ErrorCode | undefined {
  const codes = (diagnostics ?? []).map((d) => d.split(':')[0]);
  if (codes.includes('BLOB_UNKNOWN')) return 'OCIBAKE_BLOB_NOT_FOUND';
  if (codes.includes('DIGEST_INVALID')) return 'OCIBAKE_DIGEST_MISMATCH';
  if (codes.includes('SIZE_INVALID')) return 'OCIBAKE_SIZE_MISMATCH';
  return undefined;
}

/** `AuthError` is a registry refusing our credentials (401) or our access (403). */
export class AuthError extends RegistryError {}

/** `authError` words an `AuthError`; it is never temporary. */
export function authError(message: string, init: RegistryErrorInit): AuthError {
  return new AuthError(init.status === 403 ? 'OCIBAKE_DENIED' : 'OCIBAKE_UNAUTHORIZED', message, {
    ...init,
    temporary: false,
    hint: init.hint ?? hintForStatus(init.status, init.registry),
  });
}

/** `isTemporaryStatus` lists the statuses worth retrying (docs/registry-client.md, rule 7). */
export function isTemporaryStatus(status: number | undefined): boolean {
  return status === 408 || status === 429 || (status !== undefined && status >= 500 && status !== 501 && status !== 505);
}

function codeForStatus(status: number | undefined): ErrorCode {
  if (status === 401) return 'OCIBAKE_UNAUTHORIZED';
  if (status === 403) return 'OCIBAKE_DENIED';
  if (status === 404) return 'OCIBAKE_NOT_FOUND';
  if (status === undefined) return 'OCIBAKE_REGISTRY_UNREACHABLE';
  return 'OCIBAKE_REGISTRY';
}

function hintForStatus(status: number | undefined, registry: string): string | undefined {
  if (status === 401) return `log in with \`ocibake login ${registry} -u USER --password-stdin\` or check the credentials in your Docker config.json`;
  if (status === 403) return 'the credentials are valid but lack access to this repository (push needs write permission)';
  if (status === 404) return 'check the repository name, tag and digest';
  if (status === 429) return 'the registry is rate limiting; wait and try again, or log in for a higher limit';
  if (status === undefined) return `check that ${registry} is reachable (network, proxy settings, TLS: --ca-cert or --insecure-registry)`;
  return undefined;
}
