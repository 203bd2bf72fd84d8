import { OcibakeError, wrapError } from '../errors.js';
import { copyGraph, type CopyGraphResult } from '../store/copy.js';
import { DEFAULT_CONCURRENCY, type Reference, type RegistryClient, RegistryStore, formatReference, parseReference } from '../../registry/index.js';
import { copyEventsTo } from './copy-events.js';
import { type BuildResult, type Published, type Publisher, type PublishOptions, rootDescriptor } from './publisher.js';

/**
 * `publishToRegistry` pushes a result to one or more references. Every blob and manifest goes to
 * every repository first (children before the index, via copyGraph; base layers are mounted when
 * the result's store locates them on the same registry), and only then are the tags written, so
 * a failed push never leaves a tag whose blobs are missing. A reference with a digest must match
 * the result's digest. A broken streamed upload re-reads the blob from `result.store`.
 *
 *   await publishToRegistry(client, { root, store }, ['ghcr.io/org/app:1.0', 'ghcr.io/org/app:latest']);
 */
export async function publishToRegistry(client: RegistryClient, result: BuildResult, refs: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
  if (refs.length === 0)
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'nothing to push to: no image reference given', { hint: 'pass -t REGISTRY/REPO:TAG' });
  const root = rootDescriptor(result.root);
  const targets = refs.map((r) => parseReference(r));
  for (const t of targets) {
    if (t.digest && t.digest !== root.digest) {
      throw new OcibakeError('OCIBAKE_INVALID_REFERENCE', `${formatReference(t)} names digest ${t.digest}, but the image is ${root.digest}`);
    }
  }
  const repos = new Map<string, { ref: Reference; store: RegistryStore }>();
  for (const t of targets) {
    const key = `${t.registry}/${t.repository}`;
    if (!repos.has(key)) repos.set(key, { ref: t, store: new RegistryStore(client, t, { replay: (d) => result.store.fetch(d, { signal: o.signal }) }) });
  }
  const copies = new Map<string, CopyGraphResult>();
  for (const [key, { store }] of repos) {
    try {
      copies.set(
        key,
        await copyGraph(result.store, store, root, {
          concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
          signal: o.signal,
          onEvent: copyEventsTo(key, o.progress, 'uploaded'),
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
    if (t.tag) await store.tag(root, t.tag, { signal: o.signal });
    const c = copies.get(key)!;
    o.progress?.({ type: 'published', target: formatReference(t), digest: root.digest });
    out.push({
      type: 'registry',
      target: key,
      digest: root.digest,
      refs: [formatReference({ ...t, digest: root.digest })],
      blobs: { copied: c.copied, mounted: c.mounted, exists: c.exists, bytes: c.bytes },
    });
  }
  return out;
}

/** Options for `RegistryPublisher`. */
export interface RegistryPublisherOptions {
  /** Push to the repositories of the names without tagging (`--push-by-digest`, for `index create`). */
  byDigest?: boolean | undefined;
}

/**
 * `RegistryPublisher` is `--push` / `--output type=registry`: the result goes to every `-t`
 * reference through `publishToRegistry`. With `byDigest`, names must be repositories only and
 * nothing is tagged.
 */
export class RegistryPublisher implements Publisher {
  readonly #client: () => RegistryClient;
  readonly #o: RegistryPublisherOptions;

  constructor(client: () => RegistryClient, o: RegistryPublisherOptions = {}) {
    this.#client = client;
    this.#o = o;
  }

  /** `check` validates the names before anything is built. */
  check(names: readonly string[]): void {
    if (names.length === 0)
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', '--push needs at least one -t REGISTRY/REPOSITORY:TAG', {
        hint: 'e.g. -t ghcr.io/you/app:1.0 --push',
      });
    for (const n of names) parseReference(n);
    // A tag is written in the last path segment (`reg:5000/app:1.0`); the registry's port is not one.
    if (this.#o.byDigest && names.some((t) => /[:@]/.test(t.split('/').pop() ?? ''))) {
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', '--push-by-digest pushes without tags: give -t REGISTRY/REPOSITORY only', {
        hint: 'tag later with `ocibake index create -t REPO:TAG REPO@sha256:…`',
      });
    }
  }

  publish(result: BuildResult, names: readonly string[], o: PublishOptions = {}): Promise<Published[]> {
    this.check(names);
    const digest = rootDescriptor(result.root).digest;
    const refs = this.#o.byDigest
      ? names.map((n) => {
          const r = parseReference(n);
          return formatReference({ registry: r.registry, repository: r.repository, digest });
        })
      : names;
    return publishToRegistry(this.#client(), result, refs, o);
  }
}
