import { Readable } from 'node:stream';
import { OcibakeError } from '../lib/errors.js';
import { pipeTo } from '../lib/io/pipe-to.js';
import { readCapped } from '../lib/io/read-capped.js';
import type { BlobLocation, Locator, Opts, Target, Mounter } from '../lib/oci/content-store.js';
import type { Descriptor } from '../lib/oci/descriptor.js';
import { type Digest, isDigest } from '../lib/oci/digest.js';
import { isIndexMediaType, isManifestMediaType } from '../lib/oci/media-types.js';
import { VerifyingStream, verifyBytes } from '../lib/oci/verify.js';
import type { Access, RegistryClient } from './client.js';
import { registryError } from './errors.js';
import { type Reference, formatReference, parseReference } from './reference.js';

/** `ReplaySource` re-opens a blob's bytes when a streamed upload must be retried. */
export type ReplaySource = (desc: Descriptor) => Promise<Readable>;

/** `RegistryStoreOptions` tune one repository store. */
export interface RegistryStoreOptions {
  /** Where to re-read a blob from if its upload breaks after the stream was consumed. */
  replay?: ReplaySource | undefined;
  /** Token scope for reads too: 'push' when this store is a push target (one token for the session). */
  access?: Access | undefined;
}

/** `PushRecord` is what a store pushed or found present, for reports and tests. */
export interface PushRecord {
  pushed: Digest[];
  mounted: Digest[];
  existing: Digest[];
}

/**
 * `RegistryStore` is one registry repository seen as a `Target` (content store + tags), so pull,
 * push and build share `copyGraph`. Manifests and indexes go to `/manifests/`, everything else
 * to `/blobs/`. It is also a `Mounter` for cross-repository mounts on the same registry.
 */
export class RegistryStore implements Target, Mounter, Locator {
  readonly client: RegistryClient;
  readonly registry: string;
  readonly repository: string;
  readonly record: PushRecord = { pushed: [], mounted: [], existing: [] };
  readonly #replay: ReplaySource | undefined;
  readonly #access: Access;
  readonly #present = new Set<Digest>();
  /** Digests a HEAD just said are missing: push() skips its own HEAD for them (copyGraph asked already). */
  readonly #absent = new Set<Digest>();
  readonly #manifests = new Map<Digest, Uint8Array>();

  constructor(client: RegistryClient, repo: Pick<Reference, 'registry' | 'repository'>, o: RegistryStoreOptions = {}) {
    this.client = client;
    this.registry = repo.registry;
    this.repository = repo.repository;
    this.#replay = o.replay;
    this.#access = o.access ?? (o.replay ? 'push' : 'pull');
  }

  /** `exists` HEADs the manifest or blob; a positive answer is remembered for this store's life. */
  async exists(desc: Descriptor, o?: Opts): Promise<boolean> {
    if (this.#present.has(desc.digest)) return true;
    const found = isManifestLike(desc)
      ? (await this.client.headManifest(this.#ref(desc.digest), o?.signal, this.#access)) !== undefined
      : await this.client.hasBlob(this.registry, this.repository, desc.digest, o?.signal, this.#access);
    if (found) this.#present.add(desc.digest);
    else this.#absent.add(desc.digest);
    return found;
  }

  /** `fetch` streams verified content; manifests are checked against their digest before use. */
  async fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    if (isManifestLike(desc)) {
      const { bytes } = await this.client.getManifest(this.#ref(desc.digest), o?.signal, this.#access);
      verifyBytes(desc, bytes);
      this.#manifests.set(desc.digest, bytes);
      return Readable.from([Buffer.from(bytes)]);
    }
    return this.client.limit(() => this.client.fetchBlob(this.registry, this.repository, desc, { ...o, access: this.#access }));
  }

  /**
   * `push` stores content unless the registry already has it (HEAD first, §5.3). Manifests are
   * PUT by digest; their children must already be present (copyGraph pushes children first).
   */
  async push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    const knownAbsent = this.#absent.delete(desc.digest);
    if (!knownAbsent && (await this.exists(desc, o))) {
      if (body instanceof Readable) body.destroy();
      this.record.existing.push(desc.digest);
      return;
    }
    if (isManifestLike(desc)) {
      const bytes = body instanceof Uint8Array ? body : await collect(body, 4 * 1024 * 1024);
      verifyBytes(desc, bytes);
      await this.client.putManifest(this.registry, this.repository, bytes, desc.mediaType, desc.digest, o?.signal);
      this.#manifests.set(desc.digest, bytes);
    } else {
      // Verify here, not only at the registry: a stream that does not match its descriptor fails
      // with a digest or size mismatch of its own instead of a registry 400 that looks retryable.
      if (body instanceof Uint8Array) verifyBytes(desc, body);
      let mismatch: Error | undefined;
      // The source's own failure (a corrupt layout blob) reaches `verified` even if it happened
      // before this line: the upload then fails with it instead of waiting for bytes forever.
      const verified =
        body instanceof Uint8Array
          ? body
          : pipeTo(body, new VerifyingStream(desc)).on('error', (e: NodeJS.ErrnoException) => {
              // A premature close is the upload giving up on the body (a refused PUT), not a fault of the content.
              if (e.code !== 'ERR_STREAM_PREMATURE_CLOSE') mismatch = e;
            });
      let used = false;
      const open = async (): Promise<Readable | Uint8Array> => {
        if (mismatch) throw mismatch;
        if (!used || body instanceof Uint8Array) {
          used = true;
          return verified;
        }
        if (!this.#replay) {
          throw registryError(`pushing blob ${desc.digest}: the upload broke and its streamed source cannot be read again`, {
            registry: this.registry,
            repository: this.repository,
            temporary: false,
          });
        }
        return this.#replay(desc);
      };
      try {
        await this.client.limit(() => this.client.uploadBlob(this.registry, this.repository, desc, open, { signal: o?.signal, onProgress: o?.onProgress }));
      } catch (err) {
        throw mismatch ?? err;
      }
    }
    this.#present.add(desc.digest);
    this.record.pushed.push(desc.digest);
  }

  /** `locate` places every blob of this store in its repository, the mount source for a copy to the same registry. */
  locate(): BlobLocation {
    return { registry: this.registry, repository: this.repository };
  }

  /** `mount` links a blob from another repository of this registry; false means "upload it". */
  async mount(desc: Descriptor, fromRepository: string, o?: Opts): Promise<boolean> {
    if (isManifestLike(desc) || fromRepository === this.repository) return false;
    const ok = await this.client.mountBlob(this.registry, this.repository, desc.digest, fromRepository, o?.signal);
    if (ok) {
      this.#present.add(desc.digest);
      this.record.mounted.push(desc.digest);
    }
    return ok;
  }

  /** `resolve` maps a tag, a digest, or a full reference in this repository to a descriptor. */
  async resolve(ref: string, o?: Opts): Promise<Descriptor> {
    const r = this.#parse(ref);
    const head = await this.client.headManifest(r, o?.signal, this.#access);
    if (head) return head;
    return (await this.client.getManifest(r, o?.signal, this.#access)).descriptor;
  }

  /** `tag` points a tag at a manifest already in the repository (PUT of the same bytes). */
  async tag(desc: Descriptor, ref: string, o?: Opts): Promise<void> {
    const r = this.#parse(ref);
    if (!r.tag) throw new OcibakeError('OCIBAKE_INVALID_REFERENCE', `cannot tag with ${JSON.stringify(ref)}: it has no tag`);
    let bytes = this.#manifests.get(desc.digest);
    // The local source usually has the bytes; reading them there spares a registry GET.
    if (!bytes && this.#replay) bytes = await collect(await this.#replay(desc), 4 * 1024 * 1024).catch(() => undefined);
    if (!bytes) bytes = (await this.client.getManifest(this.#ref(desc.digest), o?.signal, this.#access)).bytes;
    verifyBytes(desc, bytes);
    await this.client.putManifest(this.registry, this.repository, bytes, desc.mediaType, r.tag, o?.signal);
  }

  #ref(digest: Digest): Reference {
    return { registry: this.registry, repository: this.repository, digest };
  }

  #parse(ref: string): Reference {
    if (isDigest(ref)) return this.#ref(ref);
    if (!ref.includes('/') && !ref.includes('@')) return { registry: this.registry, repository: this.repository, tag: ref };
    const r = parseReference(ref);
    if (r.registry !== this.registry || r.repository !== this.repository) {
      throw new OcibakeError('OCIBAKE_INVALID_REFERENCE', `${formatReference(r)} is not in ${this.registry}/${this.repository}`);
    }
    return r;
  }
}

function isManifestLike(desc: Descriptor): boolean {
  return isManifestMediaType(desc.mediaType) || isIndexMediaType(desc.mediaType);
}

function collect(body: Readable, max: number): Promise<Uint8Array> {
  return readCapped(body, max, () => new OcibakeError('OCIBAKE_INVALID_MANIFEST', `manifest is larger than ${max} bytes`));
}
