import { lstat, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CacheLayout } from '../cache/layout.js';
import { OcibakeError } from '../errors.js';
import { probeSandbox, isUnavailable } from '../sandbox/caps.js';
import { snapshotOps } from '../stages/snapshot-ops.js';

/** Options of `pruneCache`: what to keep. Without `all`, `keepStorage` or `until`, nothing is removed. */
export interface PruneOptions {
  cacheDir?: string | undefined;
  /** Keep the most recently used entries up to this many bytes (`--keep-storage`). */
  keepStorage?: number | undefined;
  /** Keep entries used within this many milliseconds (`--filter until=DURATION`). */
  untilMs?: number | undefined;
  /** Remove everything, the Go/zig tool caches included (`--all`). */
  all?: boolean | undefined;
  /** Say what would go, remove nothing. */
  dryRun?: boolean | undefined;
  now?: number | undefined;
}

/** What `pruneCache` removed (or, with `dryRun`, would remove) and kept. */
export interface PruneReport {
  dir: string;
  removed: { steps: number; bases: number; blobs: number; snapshots: number; other: number; bytes: number };
  kept: { steps: number; bytes: number };
}

/** A cache entry someone asked for (a step result, a resolved base, a layer record) and what it holds on to. */
interface Root {
  path: string;
  kind: 'step' | 'base' | 'layer' | 'other';
  usedAt: number;
  blobs: string[];
  snapshots: string[];
}

/**
 * `pruneCache` is `ocibake cache prune` (`docker buildx prune`): it keeps the step results, base
 * records and layer records used within `untilMs` and, newest first, within `keepStorage` bytes,
 * then removes every blob and snapshot nothing kept reaches (manifests are followed to their
 * configs and layers, configs to the snapshots of their layers). It refuses while a build uses
 * the cache, and removes what killed builds left behind.
 *
 *   await pruneCache({ keepStorage: 10 * 1024 ** 3, untilMs: 7 * 24 * 3600e3 });
 */
export async function pruneCache(o: PruneOptions): Promise<PruneReport> {
  const dirs = new CacheLayout(o.cacheDir);
  const now = o.now ?? Date.now();
  if (!o.all && o.keepStorage === undefined && o.untilMs === undefined) {
    throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', 'cache prune needs to know what to keep', {
      hint: 'give --keep-storage SIZE, --filter until=DURATION, or --all',
    });
  }
  const builds = dirs.buildDirs();
  const busy = builds.find((b) => b.running);
  if (busy) {
    throw new OcibakeError('OCIBAKE_CACHE_BUSY', `a build (pid ${busy.pid}) is using the cache ${dirs.root}`, {
      hint: 'prune once it has finished; builds and prune must not share a cache at the same moment',
    });
  }
  const report: PruneReport = { dir: dirs.root, removed: { steps: 0, bases: 0, blobs: 0, snapshots: 0, other: 0, bytes: 0 }, kept: { steps: 0, bytes: 0 } };
  const remove = async (paths: string[], bytes: number): Promise<void> => {
    report.removed.bytes += bytes;
    if (!o.dryRun) for (const p of paths) await rm(p, { recursive: true, force: true });
  };
  for (const b of builds) {
    await remove([b.path], await treeSize(b.path));
    report.removed.other++;
  }

  const roots = [
    ...(await stepRoots(dirs.stepRecords)),
    ...(await jsonRoots(dirs.baseRecords, 'base', (r) => [descriptorDigest(r['descriptor'])])),
    ...(await jsonRoots(dirs.layerRecords, 'layer', (r) => [descriptorDigest(r['descriptor'])])),
  ];
  const blobDir = join(dirs.root, 'blobs', 'sha256');
  const blobSize = new Map<string, number>();
  for (const hex of await names(blobDir)) blobSize.set(`sha256:${hex}`, (await stat(join(blobDir, hex)).catch(() => undefined))?.size ?? 0);
  const snapshotDirs = await snapshotPaths(dirs.snapshots);
  const snapshotSize = new Map<string, Promise<number>>();
  const sizeOfSnapshot = (id: string): Promise<number> => {
    let p = snapshotSize.get(id);
    if (!p) {
      const paths = snapshotDirs.filter((x) => x.id === id).map((x) => x.path);
      p = Promise.all(paths.map(treeSize)).then((ns) => ns.reduce((a, b) => a + b, 0));
      snapshotSize.set(id, p);
    }
    return p;
  };

  // Newest first: what was used last is what the next build most likely needs.
  roots.sort((a, b) => b.usedAt - a.usedAt);
  const keptBlobs = new Set<string>();
  const keptSnapshots = new Set<string>();
  const kept: Root[] = [];
  let bytes = 0;
  for (const r of roots) {
    if (o.all || (o.untilMs !== undefined && now - r.usedAt > o.untilMs)) continue;
    const reach = await reachable(r, blobDir, blobSize);
    let extra = [...reach.blobs].filter((d) => !keptBlobs.has(d)).reduce((n, d) => n + (blobSize.get(d) ?? 0), 0);
    for (const id of reach.snapshots) if (!keptSnapshots.has(id)) extra += await sizeOfSnapshot(id);
    if (o.keepStorage !== undefined && bytes + extra > o.keepStorage) continue;
    bytes += extra;
    kept.push(r);
    for (const d of reach.blobs) keptBlobs.add(d);
    for (const s of reach.snapshots) keptSnapshots.add(s);
  }
  const keptRoots = new Set(kept.map((r) => r.path));
  for (const r of roots) {
    if (keptRoots.has(r.path)) continue;
    await remove([r.path], 0);
    if (r.kind === 'step') report.removed.steps++;
    else if (r.kind === 'base') report.removed.bases++;
    else report.removed.other++;
  }
  for (const [digest, size] of blobSize) {
    if (keptBlobs.has(digest)) continue;
    await remove([join(blobDir, digest.slice(7))], size);
    report.removed.blobs++;
  }
  const goneSnapshots: string[] = [];
  for (const s of snapshotDirs) {
    if (keptSnapshots.has(s.id)) continue;
    report.removed.bytes += await treeSize(s.path);
    report.removed.snapshots++;
    goneSnapshots.push(s.path);
  }
  if (!o.dryRun) await removeSnapshots(dirs, goneSnapshots);
  // Derived data and temp files are rebuilt on demand; --all also drops cache mounts and tool caches.
  const derived = [dirs.listings, dirs.blobTmp, ...(o.all ? [dirs.cacheMounts, dirs.stages, dirs.tools({})] : [])];
  for (const d of derived) {
    for (const n of await names(d)) {
      const p = join(d, n);
      await remove([p], await treeSize(p));
      report.removed.other++;
    }
  }
  report.kept.steps = kept.filter((r) => r.kind === 'step').length;
  report.kept.bytes = bytes;
  return report;
}

async function names(dir: string): Promise<string[]> {
  return readdir(dir).catch(() => []);
}

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    const v = JSON.parse(await readFile(path, 'utf8')) as unknown;
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function descriptorDigest(d: unknown): string {
  const digest = (d as { digest?: unknown } | undefined)?.digest;
  return typeof digest === 'string' ? digest : '';
}

async function stepRoots(dir: string): Promise<Root[]> {
  const out: Root[] = [];
  for (const n of await names(dir)) {
    const path = join(dir, n);
    const rec = await readJson(path);
    const st = await stat(path).catch(() => undefined);
    if (!st) continue;
    const layer = rec?.['layer'] as { descriptor?: unknown; diffId?: unknown } | null | undefined;
    const snapshot = typeof rec?.['snapshot'] === 'string' ? [rec['snapshot']] : [];
    const diff = typeof layer?.diffId === 'string' ? [layer.diffId.replace(/^sha256:/, '')] : [];
    out.push({ path, kind: 'step', usedAt: st.mtimeMs, blobs: layer ? [descriptorDigest(layer.descriptor)] : [], snapshots: [...snapshot, ...diff] });
  }
  return out;
}

async function jsonRoots(dir: string, kind: Root['kind'], blobs: (r: Record<string, unknown>) => string[]): Promise<Root[]> {
  const out: Root[] = [];
  for (const n of await names(dir)) {
    const path = join(dir, n);
    const st = await stat(path).catch(() => undefined);
    if (!st) continue;
    const rec = await readJson(path);
    out.push({ path, kind, usedAt: st.mtimeMs, blobs: rec ? blobs(rec).filter(Boolean) : [], snapshots: [] });
  }
  return out;
}

/** A root's blobs and snapshots, following manifests to their configs and layers, and configs to their layers' snapshots. */
async function reachable(r: Root, blobDir: string, sizes: ReadonlyMap<string, number>): Promise<{ blobs: Set<string>; snapshots: Set<string> }> {
  const blobs = new Set<string>();
  const snapshots = new Set(r.snapshots);
  const visit = async (digest: string): Promise<void> => {
    if (blobs.has(digest) || !sizes.has(digest)) return;
    blobs.add(digest);
    // Only small blobs can be manifests or configs; layers are never parsed.
    if ((sizes.get(digest) ?? 0) > 4 * 1024 * 1024) return;
    const doc = await readJson(join(blobDir, digest.slice(7)));
    if (!doc) return;
    const children = [doc['config'], ...(Array.isArray(doc['layers']) ? doc['layers'] : []), ...(Array.isArray(doc['manifests']) ? doc['manifests'] : [])];
    for (const c of children) await visit(descriptorDigest(c));
    const diffIds = (doc['rootfs'] as { diff_ids?: unknown } | undefined)?.diff_ids;
    if (Array.isArray(diffIds)) for (const d of diffIds) if (typeof d === 'string') snapshots.add(d.replace(/^sha256:/, ''));
  };
  for (const d of r.blobs) await visit(d);
  return { blobs, snapshots };
}

async function snapshotPaths(root: string): Promise<{ id: string; path: string; mode: string }[]> {
  const out: { id: string; path: string; mode: string }[] = [];
  for (const mode of await names(root)) {
    const dir = join(root, mode);
    if (!(await lstat(dir).catch(() => undefined))?.isDirectory()) continue;
    // What killed builds left in .tmp goes too (no build runs now: prune checked).
    for (const id of await names(dir)) {
      if (id === '.tmp') for (const t of await names(join(dir, id))) out.push({ id: `.tmp/${t}`, path: join(dir, id, t), mode });
      else out.push({ id, path: join(dir, id), mode });
    }
  }
  return out;
}

/** Rootless snapshots hold files of subordinate ids: only the build's user namespace can remove them. */
async function removeSnapshots(dirs: CacheLayout, paths: string[]): Promise<void> {
  const userns = paths.filter((p) => p.startsWith(join(dirs.snapshots, 'userns')));
  const plain = paths.filter((p) => !userns.includes(p));
  for (const p of plain) await rm(p, { recursive: true, force: true });
  if (userns.length === 0) return;
  if (process.getuid?.() === 0) {
    for (const p of userns) await rm(p, { recursive: true, force: true });
    return;
  }
  const caps = probeSandbox(dirs.snapshots);
  if (isUnavailable(caps)) throw new OcibakeError('OCIBAKE_EXEC', `cannot remove rootless snapshots: ${caps.why}`, { hint: caps.hint });
  await snapshotOps(caps, dirs.snapshots).remove(...userns);
}

async function treeSize(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return 0;
  if (!st.isDirectory()) return st.size;
  let n = 0;
  for (const c of await names(path)) n += await treeSize(join(path, c));
  return n;
}
