import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, rename, rm, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerState, ownerTag, parseOwnerTag } from '../io/process-owner.js';

/** Prefix of the per-process temp directory inside a layout (when no scratch directory can serve). */
export const LAYOUT_TMP_PREFIX = '.ocibake-tmp-';
/** The temp directory every process shared before per-process ones (swept, never written). */
const LEGACY_TMP = '.ocibake-tmp';
/** Files of dead writers are removed only once unchanged this long: a writer in another pid namespace looks dead. */
const STALE_MS = 60_000;

/**
 * `layoutTempDir` picks where this process puts the temp files of its writes into the layout
 * `dir`. Temp files must be on the layout's filesystem (they are renamed into place), and a
 * process killed with SIGKILL leaves them behind, so they go outside the user's layout when
 * possible: in `scratch` (ocibake's cache), when a rename from there into the layout works.
 * Otherwise a directory of this process's own inside the layout (`.ocibake-tmp-<pid>-<start>`),
 * which no other process removes while this one runs.
 */
export async function layoutTempDir(dir: string, scratch: string | undefined): Promise<{ path: string; own: boolean }> {
  if (scratch && (await renames(scratch, dir))) return { path: scratch, own: false };
  return { path: join(dir, `${LAYOUT_TMP_PREFIX}${ownerTag()}`), own: true };
}

/** Whether a file renames from `from` into `to` (same filesystem and mount: no EXDEV). */
async function renames(from: string, to: string): Promise<boolean> {
  try {
    await mkdir(from, { recursive: true });
    const [a, b] = await Promise.all([stat(from), stat(to)]);
    if (a.dev !== b.dev) return false;
  } catch {
    return false;
  }
  // st_dev matches across bind mounts too, where rename(2) still fails: try one. Both names
  // carry this process's pid, so the sweepers remove them if it dies in between.
  const nonce = randomBytes(4).toString('hex');
  const src = join(from, `ingest-${process.pid}-probe-${nonce}`);
  const dest = join(to, `${LAYOUT_TMP_PREFIX}${ownerTag()}.probe-${nonce}`);
  try {
    await writeFile(src, '', { flag: 'wx' });
    await rename(src, dest);
    return true;
  } catch {
    await unlink(src).catch(() => {});
    return false;
  } finally {
    await unlink(dest).catch(() => {});
  }
}

/**
 * `sweepLayoutTemp` removes what killed ocibake processes left in a layout: their per-process
 * temp directories and probes, stale lock leftovers, and the dead writers' files in the legacy
 * shared `.ocibake-tmp` (removed once empty). Anything whose owner runs, or cannot be checked
 * and changed within the last minute, is left alone.
 */
export async function sweepLayoutTemp(dir: string): Promise<number> {
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    let tag: string | undefined;
    if (name.startsWith(LAYOUT_TMP_PREFIX)) tag = name.slice(LAYOUT_TMP_PREFIX.length);
    else if (name.startsWith('index.json.lock.stale-')) tag = `${name.slice('index.json.lock.stale-'.length).split('-')[0]}-0`;
    if (tag !== undefined && (await deadAndOld(join(dir, name), tag))) {
      await rm(join(dir, name), { recursive: true, force: true }).then(
        () => removed++,
        () => {},
      );
    }
  }
  const legacy = join(dir, LEGACY_TMP);
  const names = await readdir(legacy).catch(() => undefined);
  if (names) {
    for (const name of names) {
      const pid = /^ingest-(\d+)-/.exec(name)?.[1];
      if (pid && (await deadAndOld(join(legacy, name), `${pid}-0`)))
        await unlink(join(legacy, name)).then(
          () => removed++,
          () => {},
        );
    }
    await rmdir(legacy).catch(() => {});
  }
  return removed;
}

async function deadAndOld(path: string, tag: string): Promise<boolean> {
  const owner = parseOwnerTag(tag);
  if (!owner || ownerState(owner) !== 'dead') return false;
  return Date.now() - (await lastChange(path)) >= STALE_MS;
}

/** The newest mtime of `path` and, for a directory, its entries (a file being written does not touch its directory). */
async function lastChange(path: string): Promise<number> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) return Date.now();
  let newest = st.mtimeMs;
  if (st.isDirectory()) {
    for (const name of await readdir(path).catch(() => [] as string[])) {
      const s = await lstat(join(path, name)).catch(() => undefined);
      if (s) newest = Math.max(newest, s.mtimeMs);
    }
  }
  return newest;
}
