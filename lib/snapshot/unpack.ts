import { lstatSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ConfinedTree } from '../layer/confined-tree.js';
import type { LayerCompression } from '../layer/decompress.js';
import { unsafeEntry } from '../layer/errors.js';
import { forEachMember } from '../layer/layer-members.js';
import { classifyMember } from '../layer/whiteout.js';
import { SnapshotError } from './errors.js';
import { emptyCounts, sortMeta, type SnapshotMeta } from './meta.js';
import { isOverlayXattr, opaqueXattr, type SnapshotMode } from './mode.js';
import { runTool } from './tools.js';
import { WhiteoutMaker } from './whiteout-maker.js';
import { formatXattrRestore, type XattrRecord } from './xattr-dump.js';

/** Options for `unpackLayerToDiffDir`. */
export interface UnpackOptions {
  /** Blob encoding (default `auto`: gzip sniffed; zstd refused). */
  compression?: LayerCompression | undefined;
  mode: SnapshotMode;
  /**
   * In a user namespace, a file whose owner the namespace does not map: `error` (default) stops,
   * `keep` leaves it owned by the namespace's root and counts it in `meta.unmappedOwners`.
   */
  unmappedOwner?: 'error' | 'keep' | undefined;
}

/**
 * `unpackLayerToDiffDir` stream-extracts ONE layer into an empty directory in overlayfs's
 * format, so the directory can serve as a lower layer of a kernel overlay mount as it is:
 * `.wh.<name>` becomes a char 0:0 device at `<name>`, `.wh..wh..opq` becomes the mode's opaque
 * xattr on its directory. Owners, modes (setuid, sticky), mtimes and `SCHILY.xattr.*` records
 * (`security.capability`) are kept; device nodes are created in `root` mode and skipped, then
 * listed in the result, in `userns` mode. Whatever the tar says, nothing is written outside
 * `dest` (see `ConfinedTree`). Returns the snapshot's metadata (`meta.json`), which lets readers
 * know whiteouts and opaque directories without xattr syscalls.
 *
 * In `userns` mode run it inside the user namespace that will mount the snapshot: owners and
 * `security.capability` are then stored as that namespace maps them.
 *
 * A layer's snapshot does not depend on the layers below it, so its id can be its diffID's hex.
 *
 *   await store.create(diffId.slice(7), async (fs) => unpackLayerToDiffDir(await cache.fetch(layer), fs, { mode: 'root' }));
 */
export async function unpackLayerToDiffDir(body: Readable, dest: string, options: UnpackOptions): Promise<SnapshotMeta> {
  await mkdir(dest, { recursive: true });
  if ((await readdir(dest)).length > 0) throw new SnapshotError('OCIBAKE_INVALID_ARGUMENT', `unpacking into ${dest}: a diff directory must start empty`);
  const mode = options.mode;
  const tree = new ConfinedTree(dest, { owner: true, devices: mode === 'root' ? 'create' : 'skip', unmappedOwner: options.unmappedOwner });
  const meta: SnapshotMeta = { version: 1, mode, opaque: [], whiteouts: [], skippedDevices: [], skippedXattrs: [], unmappedOwners: 0, counts: emptyCounts() };
  const c = meta.counts;
  const whiteouts = new Set<string>();
  const opaque = new Set<string>();
  const xattrs = new Map<string, XattrRecord[]>();
  await forEachMember(body, options.compression, async ({ header: h, body: content }) => {
    const m = classifyMember(h.name);
    if (m.kind !== 'entry') {
      await tree.ensureParents(m.rel, h.name);
      if (m.kind === 'whiteout') whiteouts.add(m.subject);
      else opaque.add(m.dir);
      return;
    }
    if (m.rel === '' && h.type !== 'directory') throw unsafeEntry(h.name, 'the root is not a directory');
    // A member written again replaces the earlier one, and its xattrs.
    xattrs.delete(m.rel);
    const created = await tree.write(m.rel, h, content);
    c.entries++;
    if (!created) {
      meta.skippedDevices.push({
        path: m.rel,
        type: h.type === 'block-device' ? 'block' : 'char',
        major: h.devmajor,
        minor: h.devminor,
        mode: h.mode & 0o7777,
        uid: h.uid,
        gid: h.gid,
      });
      return;
    }
    countMember(meta, h.type, h.size);
    const records: XattrRecord[] = [];
    for (const [name, value] of Object.entries(h.xattrs).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (isOverlayXattr(name) || (mode === 'userns' && name.startsWith('trusted.'))) meta.skippedXattrs.push({ path: m.rel, name });
      else records.push({ path: tree.full(m.rel), name, value });
    }
    if (records.length) xattrs.set(m.rel, records);
  });
  meta.unmappedOwners = tree.unmappedOwners;

  // Whiteouts and xattrs were deferred to here, so their paths are checked again now that no
  // member can replace a parent anymore.
  await tree.verifyParents([...whiteouts, ...opaque]);
  const maker = new WhiteoutMaker(dest);
  try {
    for (const path of whiteouts) {
      const st = lstatSync(tree.full(path), { throwIfNoEntry: false });
      // layer.md: a whiteout applies only to lower layers. A directory of the same layer at its
      // path is therefore a new directory replacing the lower one: opaque. Other members win.
      if (st?.isDirectory()) opaque.add(path);
      if (st) continue;
      await maker.make(tree.full(path));
      meta.whiteouts.push(path);
    }
  } finally {
    await maker.close();
  }
  for (const dir of opaque) {
    const st = lstatSync(tree.full(dir), { throwIfNoEntry: false });
    if (!st?.isDirectory()) throw unsafeEntry(`${dir}/.wh..wh..opq`, 'opaque marker in something that is not a directory');
    xattrs.set(dir, [...(xattrs.get(dir) ?? []), { path: tree.full(dir), name: opaqueXattr(mode), value: Buffer.from('y') }]);
    meta.opaque.push(dir);
  }
  const all = [...xattrs.values()].flat();
  if (all.length) {
    await tree.verifyParents(xattrs.keys());
    // -h: a symlink's own xattrs; the leaf is never followed.
    await runTool('setfattr', ['-h', '--restore=-'], formatXattrRestore(all));
  }
  c.xattrs = all.length - meta.opaque.length;
  c.whiteouts = meta.whiteouts.length;
  c.opaque = meta.opaque.length;
  await tree.finish();
  return sortMeta(meta);
}

function countMember(meta: SnapshotMeta, type: string, size: number): void {
  const c = meta.counts;
  if (type === 'directory') c.dirs++;
  else if (type === 'file' || type === 'contiguous-file') {
    c.files++;
    c.bytes += size;
  } else if (type === 'symlink') c.symlinks++;
  else if (type === 'link') c.hardlinks++;
  else if (type === 'fifo') c.fifos++;
  else c.devices++;
}
