import type { Readable } from 'node:stream';
import pLimit, { type LimitFunction } from 'p-limit';
import { OcibakeError } from '../lib/errors.js';
import { readCapped } from '../lib/io/read-capped.js';
import type { Descriptor } from '../lib/oci/descriptor.js';
import { type Digest, isDigest, sha256 } from '../lib/oci/digest.js';
import { MANIFEST_ACCEPT } from '../lib/oci/media-types.js';
import { digestMismatch } from '../lib/oci/verify.js';
import { repositoryScope } from './auth/challenge.js';
import { RegistryError, registryError } from './errors.js';
import { type Credential, type Keychain, multiKeychain, staticKeychain, envKeychain } from './auth/credential.js';
import { dockerConfigKeychain } from './auth/docker-config.js';
import { openBlob } from './blob-reader.js';
import { type Reference, formatReference, referenceName } from './reference.js';
import type { HostConfig } from './transport/scheme.js';
import { Transport, type TransportOptions, header } from './transport/transport.js';
import { type UploadOptions, uploadBlob } from './upload.js';

/**
 * `Access` is the token scope a call asks for. A store that is being pushed to asks for
 * `push` even on HEADs, so one token (pull,push) serves the whole push instead of two.
 */
export type Access = 'pull' | 'push';

/** `DEFAULT_CONCURRENCY` is how many blobs move at once unless told otherwise. */
export const DEFAULT_CONCURRENCY = 6;

/** Manifests larger than this are refused: distribution's own limit is 4 MiB. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/** `RegistryClientOptions` configure a client; everything has a default that works with Docker Hub. */
export interface RegistryClientOptions {
  /** Extra credentials, e.g. from flags; consulted before env and config files. */
  credentials?: Readonly<Record<string, Credential>> | undefined;
  /** Replaces the default keychain (flags, env, Docker config.json, podman auth.json). */
  keychain?: Keychain | undefined;
  /** Per-registry scheme/insecure overrides, keyed by registry host[:port]. */
  hosts?: Readonly<Record<string, HostConfig>> | undefined;
  /** Registries to reach over plain HTTP or unverified TLS (`--insecure-registry`). */
  insecureRegistries?: readonly string[] | undefined;
  caCerts?: readonly (string | Buffer)[] | undefined;
  /** Blob transfers in flight at once (p-limit); default 6, the parallelism skopeo (containers/image) uses. */
  concurrency?: number | undefined;
  retry?: TransportOptions['retry'];
  timeoutMs?: number | undefined;
  bodyTimeoutMs?: number | undefined;
  userAgent?: string | undefined;
  upload?: UploadOptions | undefined;
}

/** `ManifestResult` is a fetched manifest or index: its descriptor and exact bytes. */
export interface ManifestResult {
  descriptor: Descriptor;
  bytes: Uint8Array;
}

/**
 * `RegistryClient` speaks the OCI distribution API to any registry: manifests by tag or digest,
 * blobs (HEAD, GET streamed and verified, cross-repo mount, upload), with auth, retries and one
 * connection pool. Example:
 *
 *     const c = new RegistryClient();
 *     const { descriptor } = await c.getManifest(parseReference('alpine:3.20'));
 */
export class RegistryClient {
  readonly transport: Transport;
  /** Bounds concurrent blob transfers across every store sharing this client. */
  readonly limit: LimitFunction;
  readonly #upload: UploadOptions;

  constructor(o: RegistryClientOptions = {}) {
    const hosts = new Map<string, HostConfig>(Object.entries(o.hosts ?? {}));
    for (const r of o.insecureRegistries ?? []) hosts.set(r, { ...hosts.get(r), insecure: true });
    const keychain = o.keychain ?? multiKeychain(staticKeychain(o.credentials ?? {}), envKeychain(), dockerConfigKeychain());
    this.transport = new Transport({ ...o, keychain, hosts });
    this.limit = pLimit(o.concurrency ?? DEFAULT_CONCURRENCY);
    this.#upload = o.upload ?? {};
  }

  /** `headManifest` resolves a tag or digest to a descriptor with HEAD (not counted by Docker Hub's rate limit). */
  async headManifest(ref: Reference, signal?: AbortSignal, access: Access = 'pull'): Promise<Descriptor | undefined> {
    const name = referenceName(ref);
    const res = await this.transport.send({
      ...this.#base(ref.registry, ref.repository, access, `resolving ${formatReference(ref)}`),
      method: 'HEAD',
      path: `/v2/${ref.repository}/manifests/${name}`,
      headers: { accept: MANIFEST_ACCEPT.join(', ') },
      expect: [200, 404],
      signal,
    });
    await res.body.dump();
    if (res.status === 404) return undefined;
    const digest = header(res.headers, 'docker-content-digest');
    const size = Number(header(res.headers, 'content-length'));
    const mediaType = header(res.headers, 'content-type')?.split(';')[0]?.trim();
    // Some registries omit the digest or length on HEAD; the caller then falls back to GET.
    if (!digest || !isDigest(digest) || !Number.isFinite(size) || !mediaType) return undefined;
    if (ref.digest && digest !== ref.digest) throw digestMismatch(ref.digest, digest, `manifest ${formatReference(ref)}`);
    return { mediaType, digest, size };
  }

  /**
   * `getManifest` fetches a manifest or index with all four media types accepted
   * (docs/registry-client.md, rule 1) and verifies it: against the reference's digest when there is one, and
   * against the server's Docker-Content-Digest otherwise.
   */
  async getManifest(ref: Reference, signal?: AbortSignal, access: Access = 'pull'): Promise<ManifestResult> {
    const name = referenceName(ref);
    const what = `fetching manifest ${formatReference(ref)}`;
    for (let attempt = 0; ; attempt++) {
      const res = await this.transport.send({
        ...this.#base(ref.registry, ref.repository, access, what),
        method: 'GET',
        path: `/v2/${ref.repository}/manifests/${name}`,
        headers: { accept: MANIFEST_ACCEPT.join(', ') },
        expect: [200],
        signal,
      });
      let bytes: Uint8Array;
      try {
        bytes = await readLimited(res.body, MAX_MANIFEST_BYTES, what);
      } catch (err) {
        if (err instanceof OcibakeError || attempt >= 3) throw err;
        continue;
      }
      const digest = sha256(bytes);
      const expected = ref.digest ?? header(res.headers, 'docker-content-digest');
      if (expected && isDigest(expected) && expected !== digest) throw digestMismatch(expected, digest, `manifest ${formatReference(ref)}`);
      const mediaType = mediaTypeOf(bytes, header(res.headers, 'content-type'));
      return { descriptor: { mediaType, digest, size: bytes.byteLength }, bytes };
    }
  }

  /** `putManifest` uploads manifest bytes under a tag or their digest and returns the digest. */
  async putManifest(registry: string, repository: string, bytes: Uint8Array, mediaType: string, reference: string, signal?: AbortSignal): Promise<Digest> {
    const digest = sha256(bytes);
    const res = await this.transport.send({
      ...this.#base(registry, repository, 'push', `pushing manifest ${digest} as ${registry}/${repository}:${reference}`),
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body: bytes,
      expect: [200, 201, 202, 204],
      signal,
    });
    await res.body.dump();
    const echoed = header(res.headers, 'docker-content-digest');
    if (echoed && isDigest(echoed) && echoed !== digest) throw digestMismatch(digest, echoed, `manifest pushed to ${registry}/${repository}`);
    await this.#confirmManifest({ registry, repository, ...(isDigest(reference) ? { digest: reference } : { tag: reference }) }, digest, res.status, signal);
    return digest;
  }

  /**
   * A 201 is the registry's word, not proof: one that answers it without storing the manifest
   * (a broken proxy, a full disk behind a cache) would have ocibake report a push that did not
   * happen. So what was just PUT is read back with HEAD (GET when HEAD gives no digest) and must
   * be the digest sent. A few short retries allow for registries that are briefly inconsistent.
   */
  async #confirmManifest(ref: Reference, digest: Digest, putStatus: number, signal: AbortSignal | undefined): Promise<void> {
    let served: string | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, 200 * attempt));
      try {
        // HEAD first (cheap, not rate limited); GET when the registry's HEAD omits the digest.
        served = (await this.headManifest(ref, signal, 'push'))?.digest ?? (await this.getManifest(ref, signal, 'push')).descriptor.digest;
      } catch (err) {
        if (err instanceof OcibakeError && err.code === 'OCIBAKE_DIGEST_MISMATCH') served = 'a different manifest';
        else if (err instanceof RegistryError && err.status === 404) served = undefined;
        else throw err;
      }
      if (served === digest) return;
    }
    const name = `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : `@${ref.digest ?? ''}`}`;
    throw registryError(
      `pushing manifest ${digest} as ${name}: ${ref.registry} answered ${putStatus} to the PUT, but then serves ${served ?? 'nothing'} there`,
      {
        registry: ref.registry,
        repository: ref.repository,
        method: 'PUT',
        status: putStatus,
        temporary: false,
        hint: `${ref.registry} claims to have stored the manifest and did not: check the registry (or a proxy in front of it) and push again`,
      },
    );
  }

  /** `hasBlob` checks a blob with HEAD (docs/registry-client.md, rule 2). */
  async hasBlob(registry: string, repository: string, digest: Digest, signal?: AbortSignal, access: Access = 'pull'): Promise<boolean> {
    const res = await this.transport.send({
      ...this.#base(registry, repository, access, `checking blob ${digest}`),
      method: 'HEAD',
      path: `/v2/${repository}/blobs/${digest}`,
      expect: [200, 404],
      followRedirects: true,
      signal,
    });
    await res.body.dump();
    return res.status === 200;
  }

  /** `fetchBlob` streams a blob, verified, resuming broken downloads (see `openBlob`). */
  fetchBlob(
    registry: string,
    repository: string,
    desc: Descriptor,
    o: { signal?: AbortSignal | undefined; onProgress?: ((n: number) => void) | undefined; access?: Access | undefined } = {},
  ): Promise<Readable> {
    return openBlob(
      this.transport,
      { ...this.#base(registry, repository, o.access ?? 'pull', `fetching blob ${desc.digest}`), path: `/v2/${repository}/blobs/${desc.digest}` },
      desc,
      o,
    );
  }

  /**
   * `mountBlob` asks the registry to link a blob from another repository (docs/registry-client.md, rule 3). The
   * token asks for pull on the source too. Any refusal resolves false, so callers upload instead.
   */
  async mountBlob(registry: string, repository: string, digest: Digest, from: string, signal?: AbortSignal): Promise<boolean> {
    try {
      const res = await this.transport.send({
        registry,
        repository,
        scopes: [repositoryScope(repository, ['pull', 'push']), repositoryScope(from, ['pull'])],
        what: `mounting blob ${digest} from ${from}`,
        method: 'POST',
        path: `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`,
        expect: [201, 202],
        signal,
      });
      await res.body.dump();
      // 202 means the registry opened an ordinary upload instead; it expires unused.
      return res.status === 201;
    } catch (err) {
      if (signal?.aborted) throw err;
      return false;
    }
  }

  /** `uploadBlob` uploads a blob (monolithic, chunked fallback); see upload.ts. */
  uploadBlob(
    registry: string,
    repository: string,
    desc: Descriptor,
    open: () => Promise<Readable | Uint8Array>,
    o: { signal?: AbortSignal | undefined; onProgress?: ((n: number) => void) | undefined } = {},
  ): Promise<void> {
    return uploadBlob(this, registry, repository, desc, open, { ...this.#upload, ...o });
  }

  /** `close` releases the connection pool. */
  close(): Promise<void> {
    return this.transport.close();
  }

  #base(registry: string, repository: string, access: Access, what: string) {
    const actions: ('pull' | 'push')[] = access === 'push' ? ['pull', 'push'] : ['pull'];
    return { registry, repository, scopes: [repositoryScope(repository, actions)], what };
  }

  /** `scopes` is the token scope list for a repository, for callers that talk to the transport directly. */
  scopes(repository: string, access: 'pull' | 'push'): string[] {
    return this.#base('', repository, access, '').scopes;
  }
}

function readLimited(body: AsyncIterable<Buffer>, max: number, what: string): Promise<Uint8Array> {
  return readCapped(body, max, () => new OcibakeError('OCIBAKE_INVALID_MANIFEST', `${what}: manifest is larger than ${max} bytes`));
}

function mediaTypeOf(bytes: Uint8Array, contentType: string | undefined): string {
  try {
    const doc = JSON.parse(Buffer.from(bytes).toString('utf8')) as { mediaType?: unknown };
    if (typeof doc.mediaType === 'string') return doc.mediaType;
  } catch {
    throw new OcibakeError('OCIBAKE_INVALID_MANIFEST', 'manifest is not valid JSON');
  }
  return contentType?.split(';')[0]?.trim() ?? 'application/vnd.oci.image.manifest.v1+json';
}
