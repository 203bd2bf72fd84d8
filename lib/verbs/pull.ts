import type { Descriptor } from '../oci/descriptor.js';
import { canonicalJson, type Index, parseManifestOrIndex } from '../oci/manifest.js';
import { MediaType } from '../oci/media-types.js';
import { sha256 } from '../oci/digest.js';
import { type Platform, formatPlatform } from '../oci/platform.js';
import { MemoryStore } from '../store/memory-store.js';
import { OciLayout } from '../store/oci-layout.js';
import { copyGraph, type CopyGraphResult } from '../store/copy.js';
import type { ProgressSink } from '../progress.js';
import { DEFAULT_CONCURRENCY, type RegistryClient, RegistryStore, formatReference, parseReference, selectPlatform } from '../../registry/index.js';
import { copyEventsTo } from '../output/copy-events.js';
import { RoutingReader } from '../store/routing-reader.js';

/** `PullOptions` say what to pull and where to put it. */
export interface PullOptions {
  /** Platforms to keep from a multi-platform image; all of them when omitted. */
  platforms?: readonly Platform[] | undefined;
  /** OCI layout directory (created when missing). */
  dest: string;
  /** Name in the layout's index.json; default: the reference's tag, else `latest`. */
  tag?: string | undefined;
  progress?: ProgressSink | undefined;
  signal?: AbortSignal | undefined;
  /** Blobs in flight (default 6). */
  concurrency?: number | undefined;
  /** ocibake's own temp directory for the layout's writes (default: the cache's `tmp/`). */
  scratchDir?: string | undefined;
}

/** `PullResult` is what was written. */
export interface PullResult {
  /** The root written into the layout: the original index or manifest, one platform's manifest, or a subset index. */
  root: Descriptor;
  /** The digest the reference resolved to on the registry. */
  sourceDigest: string;
  tag: string;
  copy: CopyGraphResult;
}

/**
 * `pull` copies an image from a registry into an OCI layout, every blob verified on the way
 * (prefetch for air-gapped builds). Without `platforms` the image is copied digest-identical.
 * With one platform, the layout gets that platform's image manifest (digest-identical to the
 * index entry); with several, a new index holding exactly the original entries for them. A
 * missing platform is an error listing what exists.
 *
 *   await pull(client, 'alpine:3.20', { dest: 'bases/', platforms: [parsePlatform('linux/arm64')] });
 */
export async function pull(client: RegistryClient, ref: string, o: PullOptions): Promise<PullResult> {
  const reference = parseReference(ref);
  const name = formatReference(reference);
  const src = new RegistryStore(client, reference);
  const top = await client.getManifest(reference, o.signal);
  let root = top.descriptor;
  const memory = new MemoryStore();
  const parsed = parseManifestOrIndex(top.bytes, top.descriptor.mediaType);
  await memory.push(top.descriptor, top.bytes);
  if (parsed.kind === 'index' && o.platforms?.length) {
    const chosen = o.platforms.map((p) => selectPlatform(parsed.index, p, name).descriptor);
    const kept = parsed.index.manifests.filter((d) => chosen.includes(d));
    if (kept.length === 1) {
      // One platform: its image manifest itself, as crane, `skopeo --override-arch` and regctl
      // write it, so `skopeo inspect oci:DIR` and `umoci unpack` read it directly.
      root = kept[0]!;
    } else if (kept.length !== parsed.index.manifests.length) {
      const subset: Index = { schemaVersion: 2, mediaType: parsed.index.mediaType ?? MediaType.OciIndex, manifests: kept };
      if (parsed.index.annotations) subset.annotations = parsed.index.annotations;
      const bytes = canonicalJson(subset);
      root = { mediaType: subset.mediaType!, digest: sha256(bytes), size: bytes.byteLength };
      await memory.push(root, bytes);
    }
  } else if (parsed.kind === 'manifest' && o.platforms?.length) {
    o.progress?.({ type: 'info', message: `${name} is a single-platform image; --platform ${o.platforms.map(formatPlatform).join(',')} not applied` });
  }
  const layout = await OciLayout.open(o.dest, { scratchDir: o.scratchDir });
  const copy = await copyGraph(new RoutingReader({ first: [memory], last: src }), layout, root, {
    concurrency: o.concurrency ?? DEFAULT_CONCURRENCY,
    signal: o.signal,
    onEvent: copyEventsTo(o.dest, o.progress, 'written'),
  });
  const tag = o.tag ?? reference.tag ?? 'latest';
  await layout.tag(root, tag);
  await layout.tidy();
  o.progress?.({ type: 'published', target: `${o.dest}:${tag}`, digest: root.digest });
  return { root, sourceDigest: top.descriptor.digest, tag, copy };
}
