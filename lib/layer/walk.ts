import { lstat } from 'node:fs/promises';
import { readdirNames, readlinkName } from '../io/byte-fs.js';
import { fsPath, nameToBytes } from '../io/byte-names.js';
import { join } from 'node:path';
import type { LayerEntry } from './entry.js';
import { LayerWriteError } from './errors.js';

/** Options for `walkDirectory`. */
export interface WalkOptions {
  /** Where the directory's contents go in the image (default `/`). */
  prefix?: string | undefined;
  /** Emit `prefix` and its parents as directory entries first (default true; mode 0755). */
  parents?: boolean | undefined;
  /** Owner to record; default 0:0. `preserveOwner` keeps the host's ids instead. */
  uid?: number | undefined;
  gid?: number | undefined;
  preserveOwner?: boolean | undefined;
  /** Keep a path (relative to the walked directory, `/`-separated)? Skipped directories are not entered. */
  filter?: ((relPath: string, isDir: boolean) => boolean) | undefined;
  /** Told about entries that cannot go in a layer (sockets, devices, FIFOs) and were skipped. */
  onSkip?: ((hostPath: string, why: string) => void) | undefined;
}

/**
 * `walkDirectory` turns a host directory into layer entries in a stable order: each directory
 * before its children, siblings sorted by the bytes of their names (what `tar --sort=name`
 * does), files that share an inode written once and then as hardlinks to the first path.
 *
 *   writeLayer(walkDirectory('build/out', { prefix: '/app' }), { sourceDateEpoch: 0 }, store)
 */
export async function* walkDirectory(dir: string, options: WalkOptions = {}): AsyncGenerator<LayerEntry> {
  const prefix = options.prefix ?? '/';
  const segments = prefix.split('/').filter((s) => s !== '' && s !== '.');
  if (options.parents ?? true) {
    for (let i = 1; i <= segments.length; i++) yield { path: `/${segments.slice(0, i).join('/')}`, type: 'dir', mode: 0o755, uid: 0, gid: 0 };
  }
  const rootStat = await lstat(dir).catch((err: unknown) => {
    throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `reading ${dir}: ${(err as Error).message}`, { cause: err });
  });
  if (!rootStat.isDirectory()) throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `${dir} is not a directory`);
  const inodes = new Map<string, string>();
  const base = segments.length ? `/${segments.join('/')}` : '';
  yield* walk(dir, '', base, inodes, options);
}

async function* walk(hostDir: string, rel: string, base: string, inodes: Map<string, string>, o: WalkOptions): AsyncGenerator<LayerEntry> {
  const names = (await readdirNames(hostDir)).sort((a, b) => Buffer.compare(nameToBytes(a), nameToBytes(b)));
  for (const name of names) {
    const host = join(hostDir, name);
    const relPath = rel ? `${rel}/${name}` : name;
    const st = await lstat(fsPath(host));
    if (o.filter && !o.filter(relPath, st.isDirectory())) continue;
    const path = `${base}/${relPath}`;
    const owner = o.preserveOwner ? { uid: st.uid, gid: st.gid } : { uid: o.uid ?? 0, gid: o.gid ?? 0 };
    const mode = st.mode & 0o7777;
    if (st.isDirectory()) {
      yield { path, type: 'dir', mode, ...owner };
      yield* walk(host, relPath, base, inodes, o);
    } else if (st.isSymbolicLink()) {
      yield { path, type: 'symlink', mode, linkname: await readlinkName(host), ...owner };
    } else if (st.isFile()) {
      const key = `${st.dev}:${st.ino}`;
      const first = st.nlink > 1 ? inodes.get(key) : undefined;
      if (first !== undefined) {
        yield { path, type: 'hardlink', mode, linkname: first, ...owner };
      } else {
        if (st.nlink > 1) inodes.set(key, path);
        yield { path, type: 'file', mode, size: st.size, source: host, ...owner };
      }
    } else {
      o.onSkip?.(host, 'not a regular file, directory or symlink');
    }
  }
}
