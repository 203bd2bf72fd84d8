import type { BlobReader } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { OcibakeError, wrapError } from '../errors.js';
import { copyGraph, type CopyGraphResult } from '../store/copy.js';
import type { ProgressSink } from '../progress.js';
import { type Reference, type RegistryClient, RegistryStore, formatReference, parseReference } from '../../registry/index.js';
import { copyEventsTo } from '../registry-ops/events.js';

/** `PublishInput` is a built or loaded image: its root descriptor and a store holding every blob. */
export interface PublishInput {
  root: Descriptor;
  store: BlobReader;
}

/** `PublishOptions` tune a registry publish. */
export interface PublishOptions {
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
  /** Blobs in flight per target (default 4; the client's own limit bounds the total). */
  concurrency?: number | undefined;
  /** When the source blobs live in another repository of the same registry: mount instead of upload. */
  sourceRepository?: string | undefined;
}

/** `Published` is one reference that now points at the image. */
export interface Published {
  reference: string;
  digest: string;
  copy: CopyGraphResult;
}

/**
 * `publishToRegistry` pushes an image to one or more references. Every blob and manifest goes
 * to every target first (children before the index, via copyGraph), and only then are the tags
 * written, so a failed push never leaves a tag whose blobs are missing. A reference with a digest
 * must match the image's digest. Broken streamed uploads re-read the blob from `input.store`.
 *
 *   await publishToRegistry(client, { root, store }, ['ghcr.io/org/app:1.0', 'ghcr.io/org/app:latest']);
 */
export async function publishToRegistry(client: RegistryClient, input: PublishInput, refs: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
  if (refs.length === 0) throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'nothing to push to: no image reference given', { hint: 'pass -t REGISTRY/REPO:TAG' });
  const targets = refs.map((r) => parseReference(r));
  for (const t of targets) {
    if (t.digest && t.digest !== input.root.digest) {
      throw new OcibakeError('OCIBAKE_INVALID_REFERENCE', `${formatReference(t)} names digest ${t.digest}, but the image is ${input.root.digest}`);
    }
  }
  const repos = new Map<string, { ref: Reference; store: RegistryStore }>();
  for (const t of targets) {
    const key = `${t.registry}/${t.repository}`;
    if (!repos.has(key)) repos.set(key, { ref: t, store: new RegistryStore(client, t, { replay: (d) => input.store.fetch(d, { signal: o.signal }) }) });
  }
  const copies = new Map<string, CopyGraphResult>();
  for (const [key, { store }] of repos) {
    try {
      copies.set(
        key,
        await copyGraph(input.store, store, input.root, {
          concurrency: o.concurrency ?? 4,
          sourceRepository: o.sourceRepository,
          signal: o.signal,
          onEvent: copyEventsTo(key, o.progress),
        }),
      );
    } catch (err) {
      throw wrapError(err, `pushing to ${key}`);
    }
  }
  const out: Published[] = [];
  for (const t of targets) {
    const key = `${t.registry}/${t.repository}`;
    const { store } = repos.get(key)!;
    if (t.tag) await store.tag(input.root, t.tag, { signal: o.signal });
    const reference = formatReference({ ...t, digest: input.root.digest });
    o.progress?.({ type: 'published', target: formatReference(t), digest: input.root.digest });
    out.push({ reference, digest: input.root.digest, copy: copies.get(key)! });
  }
  return out;
}
