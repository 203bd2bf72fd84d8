import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { readdirNames, readlinkName } from '../io/byte-fs.js';
import { fsPath } from '../io/byte-names.js';
import { join } from 'node:path';
import type { LayerEntry } from '../layer/entry.js';
import { OPAQUE_MARKER, WHITEOUT_PREFIX } from '../layer/whiteout.js';
import type { ChainView } from './chain-view.js';
import { insideId, type IdMap } from './id-map.js';
import { byteOrder, emptyCounts, sortMeta, type SnapshotMeta } from './meta.js';
import { isOverlayXattr, opaqueXattr, type SnapshotMode } from './mode.js';
import { runTool } from './tools.js';
import { readTreeXattrs } from './tree-xattrs.js';
import { parseXattrDump } from './xattr-dump.js';

/** Options for `diffUpperDir`. */
export interface DiffOptions {
  mode: SnapshotMode;
  /** The lower layers the upper dir was mounted over. */
  lower: ChainView;
  /** Timestamps newer than this (seconds) are clamped to it, as BuildKit's rewrite-timestamp does. */
  sourceDateEpoch: number;
  /** Image paths to leave out with everything under them: mount-point stubs made for the RUN (`/proc`, `/etc/resolv.conf`). */
  exclude?: ReadonlySet<string> | undefined;
  /**
   * Image paths of directories the sandbox made mount points in (the parents of `/etc/resolv.conf`
   * in an image without one, of the one-uid apt setting). Creating the mount point copied them up,
   * so they are left out when that is all that happened: nothing of theirs is in the layer, they
   * are not opaque, and mode, owner and xattrs equal the lower directory's (only the mtime moved).
   * Without this, a RUN's layer would depend on how ocibake isolated it.
   */
  mountParents?: ReadonlySet<string> | undefined;
  /** The user namespace the RUN ran in; on-disk owners are translated to the ids it showed (`insideId`). */
  idMap?: IdMap | undefined;
}

/** `UpperDiff` is a RUN's result: its layer's entries, and the upper dir's metadata as a snapshot. */
export interface UpperDiff {
  /** Layer entries in tar order (parents first, siblings sorted by bytes), for `writeLayer`. */
  entries: LayerEntry[];
  /** The upper dir's `meta.json` when it is adopted as a snapshot (`SnapshotStore.adopt`). */
  meta: SnapshotMeta;
  /** Objects a layer cannot hold (sockets), by image path. */
  skipped: string[];
}

const EMPTY = new Uint8Array(0);

/**
 * `diffUpperDir` turns the upper dir of a RUN's overlay mount into the entries of its layer,
 * deterministically: a whiteout (char 0:0) becomes `.wh.<name>` only when the path exists in
 * `lower` (the kernel leaves whiteouts with nothing behind them); a directory with the opaque
 * xattr becomes the directory plus `.wh..wh..opq` only when `lower` has a directory there (the
 * kernel also marks brand-new directories opaque); files sharing an inode become one file and
 * hard links to it; xattrs other than overlay's own go in `SCHILY.xattr.*` records (all read
 * with one `getfattr`); every mtime is clamped to `sourceDateEpoch`, so two clean runs of the same
 * step give byte-identical layers.
 *
 *   const { entries, meta } = await diffUpperDir(upper, { mode: 'root', lower: view, sourceDateEpoch: 0 });
 *   const layer = await writeLayer(entries, { sourceDateEpoch: 0 }, cache);
 */
export async function diffUpperDir(upper: string, options: DiffOptions): Promise<UpperDiff> {
  const xattrs = await readTreeXattrs(upper);
  const w = new DiffWalk(upper, options, xattrs);
  await w.walk('');
  w.meta.counts.whiteouts = w.meta.whiteouts.length;
  w.meta.counts.opaque = w.meta.opaque.length;
  return { entries: w.entries, meta: sortMeta(w.meta), skipped: w.skipped };
}

class DiffWalk {
  readonly entries: LayerEntry[] = [];
  readonly skipped: string[] = [];
  readonly meta: SnapshotMeta;
  readonly #upper: string;
  readonly #o: DiffOptions;
  readonly #xattrs: Map<string, Map<string, Buffer>>;
  readonly #exclude: Set<string>;
  readonly #mountParents: Set<string>;
  readonly #inodes = new Map<number, string>();

  constructor(upper: string, o: DiffOptions, xattrs: Map<string, Map<string, Buffer>>) {
    this.#upper = upper;
    this.#o = o;
    this.#xattrs = xattrs;
    const rel = (p: string): string =>
      p
        .split('/')
        .filter((s) => s !== '' && s !== '.')
        .join('/');
    this.#exclude = new Set([...(o.exclude ?? [])].map(rel));
    this.#mountParents = new Set([...(o.mountParents ?? [])].map(rel));
    this.meta = { version: 1, mode: o.mode, opaque: [], whiteouts: [], skippedDevices: [], skippedXattrs: [], unmappedOwners: 0, counts: emptyCounts() };
  }

  async walk(dir: string): Promise<void> {
    const host = dir === '' ? this.#upper : join(this.#upper, dir);
    // Names are kept byte for byte (see `nameFromBytes`): a RUN may write names that are not UTF-8.
    const names = (await readdirNames(host)).sort(byteOrder);
    for (const name of names) {
      const rel = dir === '' ? name : `${dir}/${name}`;
      if (this.#exclude.has(rel)) continue;
      const st = await lstat(fsPath(join(host, name)));
      const c = this.meta.counts;
      // Overlayfs makes whiteouts by linking one shared node, so nlink says nothing here.
      if (st.isCharacterDevice() && st.rdev === 0) {
        this.meta.whiteouts.push(rel);
        if (await this.#o.lower.entry(rel))
          this.entries.push({
            path: `/${dir === '' ? '' : `${dir}/`}${WHITEOUT_PREFIX}${name}`,
            type: 'file',
            mode: 0,
            uid: 0,
            gid: 0,
            mtime: this.#o.sourceDateEpoch,
            data: EMPTY,
          });
        continue;
      }
      c.entries++;
      const base = this.#base(rel, st);
      if (st.isDirectory()) {
        c.dirs++;
        const at = this.entries.length;
        this.entries.push({ ...base, type: 'dir' });
        const opaque =
          this.#xattrs.get(rel)?.get(opaqueXattr(this.#o.mode))?.toString('latin1') === 'y' && (await this.#o.lower.entry(rel))?.stats.isDirectory() === true;
        if (opaque) {
          this.meta.opaque.push(rel);
          this.entries.push({ path: `/${rel}/${OPAQUE_MARKER}`, type: 'file', mode: 0, uid: 0, gid: 0, mtime: this.#o.sourceDateEpoch, data: EMPTY });
        }
        await this.walk(rel);
        if (!opaque && this.entries.length === at + 1 && this.#mountParents.has(rel) && (await this.#sameAsLower(rel, st))) {
          this.entries.length = at;
          c.dirs--;
          c.entries--;
          if (base.pax) c.xattrs -= Object.keys(base.pax).length;
        }
      } else if (st.isFile()) {
        const first = st.nlink > 1 ? this.#inodes.get(st.ino) : undefined;
        if (first !== undefined) {
          c.hardlinks++;
          this.entries.push({ ...base, type: 'hardlink', linkname: first });
          continue;
        }
        if (st.nlink > 1) this.#inodes.set(st.ino, base.path);
        c.files++;
        c.bytes += st.size;
        this.entries.push({ ...base, type: 'file', size: st.size, source: join(host, name) });
      } else if (st.isSymbolicLink()) {
        c.symlinks++;
        this.entries.push({ ...base, type: 'symlink', linkname: await readlinkName(join(host, name)) });
      } else if (st.isFIFO()) {
        c.fifos++;
        this.entries.push({ ...base, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        c.devices++;
        this.entries.push({ ...base, type: st.isBlockDevice() ? 'block-device' : 'char-device', devmajor: major(st.rdev), devminor: minor(st.rdev) });
      } else {
        c.entries--;
        this.skipped.push(`/${rel}`);
      }
    }
  }

  /** Whether the lower layers have a directory at `rel` with this one's mode, owner and (non-overlay) xattrs. */
  async #sameAsLower(rel: string, st: Stats): Promise<boolean> {
    const lower = await this.#o.lower.entry(rel);
    if (!lower?.stats.isDirectory()) return false;
    const l = lower.stats;
    if ((l.mode & 0o7777) !== (st.mode & 0o7777) || l.uid !== st.uid || l.gid !== st.gid) return false;
    const mine = [...(this.#xattrs.get(rel) ?? [])].filter(([n]) => !isOverlayXattr(n));
    // Unreadable xattrs leave the directory in the layer: it costs a few bytes, guessing could drop a change.
    const theirs = (await readXattrs(lower.hostPath).catch(() => undefined))?.filter(([n]) => !isOverlayXattr(n));
    if (!theirs) return false;
    return mine.length === theirs.length && mine.every(([n, v], i) => theirs[i]![0] === n && theirs[i]![1].equals(v));
  }

  /** Path, mode, owner, clamped mtime and xattrs, common to every kind of entry. */
  #base(rel: string, st: Stats): LayerEntry & { path: string } {
    const map = this.#o.idMap;
    const e: LayerEntry = {
      path: `/${rel}`,
      type: 'file',
      mode: st.mode & 0o7777,
      uid: map ? insideId(map.uids, st.uid) : st.uid,
      gid: map ? insideId(map.gids, st.gid) : st.gid,
      mtime: Math.min(Math.floor(st.mtimeMs / 1000), this.#o.sourceDateEpoch),
    };
    const names = this.#xattrs.get(rel);
    if (names) {
      const pax: Record<string, Uint8Array> = {};
      for (const [name, value] of names) {
        if (isOverlayXattr(name)) continue;
        pax[`SCHILY.xattr.${name}`] = value;
        this.meta.counts.xattrs++;
      }
      if (Object.keys(pax).length) e.pax = pax;
    }
    return e;
  }
}

/** The xattrs of one object (not followed), names sorted; one `getfattr`, for the few mount parents of a RUN. */
async function readXattrs(path: string): Promise<[string, Buffer][]> {
  const dump = await runTool('getfattr', ['-P', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', path]);
  return parseXattrDump(dump)
    .map((r): [string, Buffer] => [r.name, r.value])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

// Linux's dev_t encoding (glibc gnu_dev_major/minor) for the values Node's lstat returns.
function major(rdev: number): number {
  return ((rdev >>> 8) & 0xfff) | (Math.floor(rdev / 2 ** 32) & ~0xfff);
}

function minor(rdev: number): number {
  return (rdev & 0xff) | ((rdev >>> 12) & ~0xff);
}
