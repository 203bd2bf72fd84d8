// Shared by the snapshot tests: layers made with the repo's own tar writer, unpacked snapshots,
// a real kernel overlay mount in a private mount namespace, and one listing format that both the
// mount (GNU find) and ChainView produce, so the two can be compared line by line.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import { tarStream } from '../../../../lib/layer/tar-writer.js';
import type { ChainView } from '../../../../lib/snapshot/chain-view.js';
import { writeMeta, type SnapshotMeta } from '../../../../lib/snapshot/meta.js';
import { overlayMountOptions, type SnapshotMode } from '../../../../lib/snapshot/mode.js';
import { unpackLayerToDiffDir, type UnpackOptions } from '../../../../lib/snapshot/unpack.js';
import { collectBytes } from '../../../harness/tmp.js';

/** A gzip layer blob of `entries`. */
export async function layerBlob(entries: LayerEntry[], epoch = 1_700_000_000): Promise<Buffer> {
  return gzipSync(await collectBytes(tarStream(entries, { sourceDateEpoch: epoch })));
}

/** Unpacks a blob into `<dir>/fs` and writes `<dir>/meta.json`, as a store would. */
export async function snapshotDir(dir: string, blob: Buffer, o: UnpackOptions): Promise<SnapshotMeta> {
  mkdirSync(join(dir, 'fs'), { recursive: true });
  const meta = await unpackLayerToDiffDir(Readable.from([blob]), join(dir, 'fs'), o);
  await writeMeta(join(dir, 'meta.json'), meta);
  return meta;
}

/**
 * The listing line of every object under the merged root: `path type mode uid:gid size link`,
 * with `size` the sha256 prefix of a file's content instead (directory sizes differ between a
 * mount and its layers). Run with `$M` set to the merged directory.
 */
export const FIND_LISTING = `export LC_ALL=C; cd "$M" && find . -mindepth 1 -printf '%P\\t%y\\t%m\\t%U:%G\\t%l\\n' | sort | while IFS="$(printf '\\t')" read -r p y m o l; do if [ "$y" = f ]; then h=$(sha256sum < "$p" | cut -c1-16); else h=-; fi; printf '%s %s %s %s %s %s\\n' "$p" "$y" "$m" "$o" "$h" "$l"; done`;

/** Mounts `lowers` (lowest first; with `rw`, read-write) at a fresh dir inside `unshare --mount` and runs `script` with `$M` set. */
export function inOverlay(mode: SnapshotMode, lowers: string[], script: string, rw?: { upper: string; work: string }, mountpoint?: string): string {
  const m = mountpoint ?? join(rw?.upper ?? lowers[0]!, '..', 'merged');
  mkdirSync(m, { recursive: true });
  // Without an upper dir, overlayfs wants two lower dirs at least.
  const layers = !rw && lowers.length === 1 ? [join(m, '..', 'empty-lower'), ...lowers] : lowers;
  mkdirSync(layers[0]!, { recursive: true });
  const opts = overlayMountOptions(mode, layers, rw);
  const args = mode === 'userns' ? ['--user', '--map-root-user', '--mount'] : ['--mount'];
  return execFileSync('unshare', [...args, 'sh', '-ec', `mount -t overlay overlay -o "$OPTS" "$M"\n${script}`], {
    encoding: 'utf8',
    env: { ...process.env, M: m, OPTS: opts },
    maxBuffer: 1 << 28,
  });
}

/** The same listing as `FIND_LISTING`, from a ChainView. */
export async function viewListing(view: ChainView): Promise<string> {
  const lines: string[] = [];
  const walk = async (dir: string): Promise<void> => {
    for (const name of await view.readdir(dir)) {
      const path = dir === '/' ? `/${name}` : `${dir}/${name}`;
      const e = (await view.entry(path))!;
      const s = e.stats;
      const y = s.isDirectory()
        ? 'd'
        : s.isFile()
          ? 'f'
          : s.isSymbolicLink()
            ? 'l'
            : s.isFIFO()
              ? 'p'
              : s.isCharacterDevice()
                ? 'c'
                : s.isBlockDevice()
                  ? 'b'
                  : 's';
      const h =
        y === 'f'
          ? createHash('sha256')
              .update(await view.readFile(path))
              .digest('hex')
              .slice(0, 16)
          : '-';
      const l = y === 'l' ? await view.readlink(path) : '';
      lines.push(`${path.slice(1)} ${y} ${(s.mode & 0o7777).toString(8)} ${s.uid}:${s.gid} ${h} ${l}`);
      if (y === 'd') await walk(path);
    }
  };
  await walk('/');
  // find sorts with sort(1) in the C-ish order of the test's names; sort the same way here.
  return lines.sort((a, b) => (a.split(' ')[0]! < b.split(' ')[0]! ? -1 : 1)).join('\n') + '\n';
}

/** `getfattr` of one path inside a mount, as `name=0xhex` lines. */
export const GETFATTR = (path: string): string => `getfattr -h -d -m - -e hex --absolute-names "$M/${path}" | grep -v '^#' | grep .`;

/** A v2 `security.capability` value with cap_setuid (7) and cap_net_raw (13): bytes ≥ 0x80, as real ones have. */
export const CAPABILITY = Buffer.from('0100000280200000000000000000000000000000', 'hex');

const text = (s: string): Uint8Array => Buffer.from(s);

/** Layer A of the synthetic chain: every kind of object. */
export function baseLayer(): LayerEntry[] {
  return [
    { path: '/bin', type: 'dir', mode: 0o755 },
    { path: '/bin/ping', type: 'file', mode: 0o4755, data: text('#!ping\n'), pax: { 'SCHILY.xattr.security.capability': CAPABILITY } },
    { path: '/dev', type: 'dir', mode: 0o755 },
    { path: '/dev/null', type: 'char-device', mode: 0o666, devmajor: 1, devminor: 3 },
    { path: '/etc', type: 'dir', mode: 0o755 },
    { path: '/etc/group', type: 'file', mode: 0o644, data: text('root:x:0:\napp:x:1000:\n') },
    { path: '/etc/motd', type: 'file', mode: 0o644, data: text('welcome\n') },
    { path: '/etc/passwd', type: 'file', mode: 0o644, data: text('root:x:0:0::/root:/bin/sh\n') },
    { path: '/etc/passwd-hard', type: 'hardlink', mode: 0o644, linkname: '/etc/passwd' },
    { path: '/etc/swap', type: 'file', mode: 0o600, data: text('a file, later a directory\n') },
    { path: '/home', type: 'dir', mode: 0o755 },
    { path: '/home/app', type: 'dir', mode: 0o750, uid: 1000, gid: 1000 },
    { path: '/home/app/notes', type: 'file', mode: 0o640, uid: 1000, gid: 1000, data: text('mine\n'), pax: { 'SCHILY.xattr.user.comment': text('hello') } },
    { path: '/keep', type: 'dir', mode: 0o755 },
    { path: '/keep/a', type: 'file', mode: 0o644, data: text('a\n') },
    { path: '/lnk', type: 'symlink', mode: 0o777, linkname: 'etc/passwd' },
    { path: '/opt', type: 'dir', mode: 0o755 },
    { path: '/opt/old1', type: 'file', mode: 0o644, data: text('old\n') },
    { path: '/opt/sub', type: 'dir', mode: 0o755 },
    { path: '/opt/sub/old2', type: 'file', mode: 0o644, data: text('old2\n') },
    { path: '/run', type: 'dir', mode: 0o755 },
    { path: '/run/fifo', type: 'fifo', mode: 0o600 },
    { path: '/tmp', type: 'dir', mode: 0o1777 },
    { path: '/usr', type: 'dir', mode: 0o755 },
    { path: '/usr/bin', type: 'dir', mode: 0o755 },
    { path: '/usr/bin/sh', type: 'symlink', mode: 0o777, linkname: '/bin/ping' },
  ];
}

/** Layer B on top of A: a whiteout, an opaque directory, a merged directory, a whiteout of nothing, a changed file. */
export function upperLayer(): LayerEntry[] {
  const empty = new Uint8Array(0);
  return [
    { path: '/.wh.nothing-here', type: 'file', mode: 0, data: empty },
    { path: '/etc', type: 'dir', mode: 0o755 },
    { path: '/etc/.wh.motd', type: 'file', mode: 0, data: empty },
    { path: '/etc/passwd', type: 'file', mode: 0o644, data: text('root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n') },
    { path: '/keep', type: 'dir', mode: 0o755 },
    { path: '/keep/b', type: 'file', mode: 0o644, data: text('b\n') },
    { path: '/opt', type: 'dir', mode: 0o700 },
    { path: '/opt/.wh..wh..opq', type: 'file', mode: 0, data: empty },
    { path: '/opt/new', type: 'file', mode: 0o644, data: text('new\n') },
  ];
}

/** What the merged A+B must show, as `FIND_LISTING` lines (root mode; `dev/null` is absent in userns mode). */
export function expectedMerged(): string[] {
  const h = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 16);
  return [
    'bin d 755 0:0 - ',
    `bin/ping f 4755 0:0 ${h('#!ping\n')} `,
    'dev d 755 0:0 - ',
    'dev/null c 666 0:0 - ',
    'etc d 755 0:0 - ',
    `etc/group f 644 0:0 ${h('root:x:0:\napp:x:1000:\n')} `,
    `etc/passwd f 644 0:0 ${h('root:x:0:0::/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n')} `,
    `etc/passwd-hard f 644 0:0 ${h('root:x:0:0::/root:/bin/sh\n')} `,
    `etc/swap f 600 0:0 ${h('a file, later a directory\n')} `,
    'home d 755 0:0 - ',
    'home/app d 750 1000:1000 - ',
    `home/app/notes f 640 1000:1000 ${h('mine\n')} `,
    'keep d 755 0:0 - ',
    `keep/a f 644 0:0 ${h('a\n')} `,
    `keep/b f 644 0:0 ${h('b\n')} `,
    'lnk l 777 0:0 - etc/passwd',
    'opt d 700 0:0 - ',
    `opt/new f 644 0:0 ${h('new\n')} `,
    'run d 755 0:0 - ',
    'run/fifo p 600 0:0 - ',
    'tmp d 1777 0:0 - ',
    'usr d 755 0:0 - ',
    'usr/bin d 755 0:0 - ',
    'usr/bin/sh l 777 0:0 - /bin/ping',
  ];
}
