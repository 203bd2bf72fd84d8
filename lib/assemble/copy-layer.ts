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
import type { AddInstruction, CopyInstruction } from '../dockerfile/instructions.js';
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

/** `toLayerEntry` maps a resolved COPY entry onto the layer writer's entry (mtime left to SOURCE_DATE_EPOCH). */
export function toLayerEntry(e: ContextEntry): LayerEntry {
  const base = { path: e.destPath, mode: e.mode, uid: e.uid, gid: e.gid };
  switch (e.type) {
    case 'dir':
      return { ...base, type: 'dir' };
    case 'symlink':
      return { ...base, type: 'symlink', linkname: e.linkTarget ?? '' };
    case 'hardlink':
      return { ...base, type: 'hardlink', linkname: e.linkTarget ?? '' };
    case 'file':
      return e.content !== undefined ? { ...base, type: 'file', data: e.content } : { ...base, type: 'file', source: e.hostPath, size: e.size };
  }
}

/** `PreparedCopy` is a COPY/ADD resolved to its entries, with the temp files they may point into. */
export interface PreparedCopy {
  entries: ContextEntry[];
  /** Removes temp files (ADD's unpacked archive); call after the layer is written. */
  cleanup(): Promise<void>;
}

/** What `prepareCopy` may have to wait for: earlier steps' entries (is a path a directory?) and layers (/etc/passwd). */
export interface CopyWaits {
  entriesOfEarlierSteps(): Promise<void>;
  layersOfEarlierSteps(): Promise<void>;
}

/** `dirLike` is a destination Docker treats as a directory whatever the image holds (`/app/`, `.`, `..`). */
export function dirLike(dest: string): boolean {
  return dest.endsWith('/') || /(^|\/)\.{0,2}$/.test(dest);
}

/**
 * `copySpecFor` is a COPY/ADD step as `resolveCopy` takes it. Remote ADD sources (URLs, git) are
 * refused: builds stay reproducible and work offline.
 */
export function copySpecFor(step: Step): CopySpec {
  const ins = step.instruction;
  if (ins.kind !== 'COPY' && ins.kind !== 'ADD') throw new OcibakeError('OCIBAKE_INTERNAL', `copySpecFor called for ${ins.kind}`);
  const remote = ins.sources.find((s) => /^[a-z][a-z0-9+.-]*:\/\//i.test(s) || /^git@/.test(s));
  if (remote) {
    throw new OcibakeError('OCIBAKE_CONTEXT', `ADD ${remote}: remote sources are not supported`, {
      hint: 'download the file into the build context first (builds stay reproducible and work offline)',
    });
  }
  return {
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
}

/**
 * `prepareCopy` resolves one COPY/ADD into the exact entries it creates, with Docker's rules
 * (lib/context). It consults the image only when it must: whether a destination without a
 * trailing slash is an existing directory, and /etc/passwd for `--chown=name`. Otherwise it does
 * not wait for earlier steps, so a stage's COPY layers can be compressed concurrently.
 */
export async function prepareCopy(step: Step, source: CopySource, fs: ImageFs, tmpDir: string, waits: CopyWaits): Promise<PreparedCopy> {
  const spec = copySpecFor(step);
  const ins = step.instruction as CopyInstruction | AddInstruction;
  const destAbs = posix.resolve(step.workdir || '/', ins.dest);
  let destIsDir = false;
  if (!dirLike(ins.dest)) {
    await waits.entriesOfEarlierSteps();
    destIsDir = await fs.isDir(destAbs);
  }
  let users;
  if (ins.chown && /[^0-9:]/.test(ins.chown)) {
    await waits.layersOfEarlierSteps();
    users = await fs.users(tmpDir);
  }
  const unpackDir = await mkdtemp(join(tmpDir, 'add-'));
  const cleanup = (): Promise<void> => rm(unpackDir, { recursive: true, force: true });
  try {
    const tree = new SourceTree(source.root, source.label, source.filter);
    const entries = (await resolveCopy(spec, tree, { users, destIsDir: (p) => (p === destAbs ? destIsDir : false), tmpDir: unpackDir })).filter(
      (e) => e.destPath !== '/',
    );
    return { entries, cleanup };
  } catch (err) {
    await cleanup();
    throw err;
  }
}

/**
 * `writeCopyLayer` writes the entries of a COPY/ADD as a deterministic layer, memoised by content
 * so the same files for several platforms, or an unchanged rebuild, compress nothing again.
 *
 *   COPY --from=build /out/main /main   →   one layer holding /main
 */
export async function writeCopyLayer(
  entries: readonly ContextEntry[],
  ctx: { cache: CacheStore; memo: LayerMemo; hasher: FileHasher; settings: CopyLayerSettings },
): Promise<WrittenLayer & { reused: boolean }> {
  const s = ctx.settings;
  const key = LayerMemo.key(await entriesDigest(entries, ctx.hasher), { f: s.format, e: s.sourceDateEpoch, l: s.level, c: s.compression, v: 1 });
  return ctx.memo.get(
    key,
    () =>
      writeLayer(
        entries.map(toLayerEntry),
        { compression: s.compression, level: s.level, sourceDateEpoch: s.sourceDateEpoch, mediaTypes: s.format },
        ctx.cache,
      ),
    !s.noCache,
  );
}
