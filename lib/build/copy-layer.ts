import { mkdtemp, rm } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { ContextEntry, PathFilter } from '../context/entry.js';
import { entriesDigest, type FileHasher } from '../context/entries-digest.js';
import { resolveCopy, type CopySpec } from '../context/resolve-copy.js';
import { SourceTree } from '../context/source-tree.js';
import type { LayerEntry } from '../layer/entry.js';
import { writeLayer, type WrittenLayer } from '../layer/write-layer.js';
import type { MediaFormat } from '../oci/media-types.js';
import type { CacheStore } from '../store/cache-store.js';
import type { Step } from '../plan/types.js';
import { OcibakeError } from '../errors.js';
import type { ImageFs } from './image-fs.js';
import { LayerMemo } from './layer-memo.js';

/** Settings every COPY layer of a build shares. */
export interface CopyLayerSettings {
  format: MediaFormat;
  sourceDateEpoch: number;
  level: number;
  compression: 'gzip' | 'none';
  noCache: boolean;
}

/** Where a COPY reads from: the context (with .dockerignore) or a directory holding another stage's files. */
export interface CopySource {
  root: string;
  label: string;
  filter?: PathFilter | undefined;
}

/** `CopyLayerResult` is the layer a COPY/ADD produced and the entries it holds. */
export interface CopyLayerResult {
  layer: WrittenLayer;
  entries: ContextEntry[];
  reused: boolean;
}

/** `toLayerEntry` maps a resolved COPY entry onto the layer writer's entry (mtime left to SOURCE_DATE_EPOCH). */
export function toLayerEntry(e: ContextEntry): LayerEntry {
  const base = { path: e.destPath, mode: e.mode, uid: e.uid, gid: e.gid };
  switch (e.type) {
    case 'dir':
      return { ...base, type: 'dir' };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: e.linkTarget ?? '' };
    case 'file':
      return e.content !== undefined ? { ...base, type: 'file', data: e.content } : { ...base, type: 'file', source: e.hostPath, size: e.size };
  }
}

/**
 * `copyLayer` turns one COPY/ADD step into a layer: resolve the sources with Docker's rules
 * (lib/context), then write a deterministic layer, memoised by content so the same files for
 * several platforms, or an unchanged rebuild, compress nothing again.
 *
 *   COPY --from=build /out/main /main   →   one layer holding /main
 */
export async function copyLayer(
  step: Step,
  source: CopySource,
  fs: ImageFs,
  ctx: { cache: CacheStore; memo: LayerMemo; hasher: FileHasher; tmpDir: string; settings: CopyLayerSettings },
): Promise<CopyLayerResult> {
  const ins = step.instruction;
  if (ins.kind !== 'COPY' && ins.kind !== 'ADD') throw new OcibakeError('OCIBAKE_INTERNAL', `copyLayer called for ${ins.kind}`);
  const remote = ins.sources.find((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s));
  if (remote) {
    throw new OcibakeError('OCIBAKE_CONTEXT', `ADD ${remote}: remote sources are not supported`, {
      hint: 'download the file into the build context first (builds stay reproducible and work offline)',
    });
  }
  const spec: CopySpec = {
    instruction: ins.kind,
    sources: ins.sources,
    dest: ins.dest,
    workdir: step.workdir,
    chown: ins.chown,
    chmod: ins.chmod,
    exclude: ins.exclude,
    parents: ins.kind === 'COPY' ? ins.parents : false,
    heredocs: ins.heredocs,
  };
  const destAbs = posix.resolve(step.workdir || '/', ins.dest);
  const destIsDir = await fs.isDir(destAbs);
  const users = ins.chown && /[^0-9:]/.test(ins.chown) ? await fs.users(ctx.tmpDir) : undefined;
  const unpackDir = await mkdtemp(join(ctx.tmpDir, 'add-'));
  try {
    const tree = new SourceTree(source.root, source.label, source.filter);
    const entries = (await resolveCopy(spec, tree, { users, destIsDir: (p) => (p === destAbs ? destIsDir : false), tmpDir: unpackDir })).filter(
      (e) => e.destPath !== '/',
    );
    const s = ctx.settings;
    const key = LayerMemo.key(await entriesDigest(entries, ctx.hasher), { f: s.format, e: s.sourceDateEpoch, l: s.level, c: s.compression, v: 1 });
    const written = await ctx.memo.get(
      key,
      () => writeLayer(entries.map(toLayerEntry), { compression: s.compression, level: s.level, sourceDateEpoch: s.sourceDateEpoch, mediaTypes: s.format }, ctx.cache),
      !s.noCache,
    );
    return { layer: written, entries, reused: written.reused };
  } finally {
    await rm(unpackDir, { recursive: true, force: true });
  }
}
