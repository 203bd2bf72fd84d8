import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../io/atomic-write.js';
import { SnapshotError } from './errors.js';
import { SNAPSHOT_MODES, type SnapshotMode } from './mode.js';
import { nameToBytes } from '../io/byte-names.js';

/** `SkippedDevice` is a device node a layer holds that was not created (user namespace); the executor binds the host's node instead. */
export interface SkippedDevice {
  path: string;
  type: 'char' | 'block';
  major: number;
  minor: number;
  mode: number;
  uid: number;
  gid: number;
}

/** `SnapshotCounts` says how much a snapshot holds, for progress output and sanity checks. */
export interface SnapshotCounts {
  entries: number;
  dirs: number;
  files: number;
  symlinks: number;
  hardlinks: number;
  fifos: number;
  devices: number;
  whiteouts: number;
  opaque: number;
  xattrs: number;
  /** Bytes of regular file content (hard links counted once). */
  bytes: number;
}

/**
 * `SnapshotMeta` is the record kept beside a snapshot's `fs/` directory (`meta.json`). Readers
 * (ChainView) take whiteouts and opaque directories from here, never from xattrs, so they need
 * no privileges and no xattr syscalls. Paths are relative to `fs/`, `/`-separated, sorted by
 * their bytes; `''` is the root (an opaque root hides every lower layer).
 */
export interface SnapshotMeta {
  version: 1;
  mode: SnapshotMode;
  /** Directories that hide the content of the same directory in lower snapshots. */
  opaque: string[];
  /** Char 0:0 devices in `fs/`: each hides its path in lower snapshots. */
  whiteouts: string[];
  skippedDevices: SkippedDevice[];
  /** xattrs of the layer not applied: overlay's own names, and `trusted.*` in a user namespace. */
  skippedXattrs: { path: string; name: string }[];
  /** Files whose owner the user namespace does not map, left owned by its root. */
  unmappedOwners: number;
  counts: SnapshotCounts;
}

/** `emptyCounts` is a zeroed `SnapshotCounts`. */
export function emptyCounts(): SnapshotCounts {
  return { entries: 0, dirs: 0, files: 0, symlinks: 0, hardlinks: 0, fifos: 0, devices: 0, whiteouts: 0, opaque: 0, xattrs: 0, bytes: 0 };
}

/** `byteOrder` sorts strings by their UTF-8 bytes (what `tar --sort=name` and Go's sort do), not by UTF-16 units. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(nameToBytes(a), nameToBytes(b));
}

/** `sortMeta` returns the record with every list sorted by bytes, so equal snapshots give equal records. */
export function sortMeta(meta: SnapshotMeta): SnapshotMeta {
  return {
    ...meta,
    opaque: [...meta.opaque].sort(byteOrder),
    whiteouts: [...meta.whiteouts].sort(byteOrder),
    skippedDevices: [...meta.skippedDevices].sort((a, b) => byteOrder(a.path, b.path)),
    skippedXattrs: [...meta.skippedXattrs].sort((a, b) => byteOrder(a.path, b.path) || byteOrder(a.name, b.name)),
  };
}

/** `writeMeta` writes `meta.json` atomically, lists sorted. */
export async function writeMeta(path: string, meta: SnapshotMeta): Promise<void> {
  await writeFileAtomic(path, `${JSON.stringify(sortMeta(meta))}\n`);
}

/** `readMeta` reads and checks a `meta.json`; a missing or corrupt one is a `SnapshotError`. */
export async function readMeta(path: string): Promise<SnapshotMeta> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    throw new SnapshotError('OCIBAKE_STORE', `reading snapshot metadata ${path}: ${(err as Error).message}`, {
      cause: err,
      hint: 'the snapshot is damaged; remove its directory and it is rebuilt',
    });
  }
  const m = value as Partial<SnapshotMeta> | null;
  const strings = (v: unknown): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (
    !m ||
    m.version !== 1 ||
    !SNAPSHOT_MODES.includes(m.mode as SnapshotMode) ||
    !strings(m.opaque) ||
    !strings(m.whiteouts) ||
    !Array.isArray(m.skippedDevices) ||
    typeof m.counts !== 'object'
  ) {
    throw new SnapshotError('OCIBAKE_STORE', `snapshot metadata ${path} is not a version 1 record`, {
      hint: 'the snapshot is damaged or from another ocibake version; remove its directory and it is rebuilt',
    });
  }
  return { skippedXattrs: [], unmappedOwners: 0, ...m } as SnapshotMeta;
}
