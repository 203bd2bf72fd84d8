import pLimit from 'p-limit';
import type { BlobReader } from '../oci/content-store.js';
import { digestHex } from '../oci/digest.js';
import { layerCompression } from '../oci/media-types.js';
import { ChainView } from '../snapshot/chain-view.js';
import type { Snapshot } from '../snapshot/store.js';
import { OcibakeError } from '../errors.js';
import type { ProgressSink } from '../progress.js';
import type { SnapshotOps } from './snapshot-ops.js';
import type { StepLayer } from './step-records.js';

/**
 * `FsLayer` is one layer of a stage's filesystem, lowest first: a snapshot already on disk (a
 * RUN's upper dir), a layer blob (a base layer, a COPY) unpacked into a snapshot when first
 * needed, or both.
 */
export interface FsLayer {
  snapshot?: string | undefined;
  blob?: StepLayer | undefined;
}

/** A stage's filesystem made usable: the snapshot dirs (lowest first) and a view that reads them merged. */
export interface Materialized {
  snapshots: Snapshot[];
  view: ChainView;
}

/**
 * `Materializer` turns `FsLayer` lists into snapshot directories, each layer unpacked at most
 * once per machine (snapshots of blobs are named by diffID, so every image that shares a layer
 * shares its snapshot) and each list's view made once per build.
 */
export class Materializer {
  readonly #ops: SnapshotOps;
  readonly #blobs: BlobReader;
  readonly #progress: ProgressSink;
  readonly #inflight = new Map<string, Promise<Snapshot>>();
  readonly #views = new Map<string, Promise<Materialized>>();
  readonly #limit = pLimit(3);

  constructor(ops: SnapshotOps, blobs: BlobReader, progress: ProgressSink) {
    this.#ops = ops;
    this.#blobs = blobs;
    this.#progress = progress;
  }

  /** `materialize` makes every layer a snapshot; `key` names the list (its fs cache key) for reuse. */
  materialize(key: string, layers: readonly FsLayer[]): Promise<Materialized> {
    let p = this.#views.get(key);
    if (!p) {
      p = (async () => {
        const snapshots = await Promise.all(layers.map((l) => this.#layer(l)));
        return { snapshots, view: await ChainView.open(snapshots.map((s) => s.dir)) };
      })();
      this.#views.set(key, p);
      p.catch(() => this.#views.delete(key));
    }
    return p;
  }

  async #layer(l: FsLayer): Promise<Snapshot> {
    if (l.snapshot) {
      const s = await this.#ops.store.get(l.snapshot);
      if (s) return s;
    }
    const blob = l.blob;
    if (!blob)
      throw new OcibakeError('OCIBAKE_INTERNAL', `snapshot ${l.snapshot ?? '?'} is gone and has no layer to rebuild it from`, {
        hint: 'run the build again with --no-cache',
      });
    const id = digestHex(blob.diffId);
    let p = this.#inflight.get(id);
    if (!p) {
      p = this.#limit(async () => {
        const have = await this.#ops.store.get(id);
        if (have) return have;
        const t0 = Date.now();
        const compression = layerCompression(blob.descriptor.mediaType);
        if (compression === 'zstd')
          throw new OcibakeError(
            'OCIBAKE_UNSUPPORTED_MEDIA_TYPE',
            `layer ${blob.descriptor.digest} is zstd-compressed; RUN needs it unpacked, and zstd layers are not supported yet`,
            { hint: 'use a gzip-compressed base image' },
          );
        const snap = await this.#ops.unpack(id, await this.#blobs.fetch(blob.descriptor), compression === 'gzip' ? 'gzip' : 'auto');
        this.#progress({
          type: 'info',
          message: `unpacked layer ${blob.descriptor.digest.slice(7, 19)} (${snap.meta.counts.entries} entries) in ${((Date.now() - t0) / 1000).toFixed(2)}s`,
        });
        return snap;
      });
      this.#inflight.set(id, p);
      p.catch(() => this.#inflight.delete(id));
    }
    return p;
  }
}
