// A file cache for slow-to-make test inputs (mmdebstrap rootfs tarballs): one file per key,
// written to a temp name and renamed into place, so a killed run never leaves a truncated entry;
// one builder per key across processes (an O_EXCL lock file holding the builder's pid), so two
// test files asking for the same rootfs at once build it once.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `testCacheDir` is `$OCIBAKE_TEST_CACHE`, or `~/.cache/ocibake-test`. */
export function testCacheDir(): string {
  return process.env['OCIBAKE_TEST_CACHE'] || join(process.env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'ocibake-test');
}

/** What `cachedFile` returns. */
export interface CachedFile {
  path: string;
  /** False when this call (this process) ran the builder. */
  cached: boolean;
  ms: number;
}

/** Options of `cachedFile`. */
export interface CachedFileOptions {
  /** Give up waiting for another process's build after this long (then build here). Default 20 min. */
  waitMs?: number;
  /** Called once this process starts building (for progress output). */
  onBuild?: () => void;
}

const inProcess = new Map<string, Promise<CachedFile>>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockOwner(lock: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lock, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function lockAgeMs(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * `sweepTemps` removes `.tmp-*` files in `dir` left by processes that are gone (killed runs).
 * Temp names carry the writer's pid: `.tmp-<name>.<pid>`.
 */
export function sweepTemps(dir: string): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const m = /^\.tmp-.*\.(\d+)$/.exec(name);
    if (m && !alive(Number(m[1]))) rmSync(join(dir, name), { force: true });
  }
}

/**
 * `cachedFile` returns `dir/name`, first calling `build(tmpPath)` to make it when it is missing.
 * `build` writes `tmpPath` (in the same directory, so the rename is atomic); on success the file
 * is renamed to `name`, on failure it is removed and the error rethrown. Concurrent calls for the
 * same name, in this process or another, wait for the one builder; a lock whose pid is dead is
 * taken over.
 *
 *   const { path } = await cachedFile(testCacheDir(), 'bookworm_amd64.tar', (tmp) => mmdebstrap(tmp));
 */
export function cachedFile(dir: string, name: string, build: (tmpPath: string) => Promise<void>, o: CachedFileOptions = {}): Promise<CachedFile> {
  const final = join(dir, name);
  const pending = inProcess.get(final);
  if (pending) return pending.then((r) => ({ ...r, cached: true }));
  const p = lockedBuild(dir, name, build, o).finally(() => inProcess.delete(final));
  inProcess.set(final, p);
  return p;
}

async function lockedBuild(dir: string, name: string, build: (tmpPath: string) => Promise<void>, o: CachedFileOptions): Promise<CachedFile> {
  const t0 = Date.now();
  mkdirSync(dir, { recursive: true });
  const final = join(dir, name);
  const lock = join(dir, `.lock-${name}`);
  const deadline = t0 + (o.waitMs ?? 20 * 60_000);
  for (;;) {
    if (existsSync(final) && statSync(final).size > 0) return { path: final, cached: true, ms: Date.now() - t0 };
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    if (fd === undefined) {
      const owner = lockOwner(lock);
      // A dead owner's lock is stale; so is one left empty (its writer died between open and write).
      const stale = owner !== undefined ? !alive(owner) : lockAgeMs(lock) > 10_000;
      if (stale || Date.now() > deadline) rmSync(lock, { force: true });
      else await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      writeSync(fd, String(process.pid));
      closeSync(fd);
      // Another process may have renamed its result into place between our check and the lock.
      if (existsSync(final) && statSync(final).size > 0) return { path: final, cached: true, ms: Date.now() - t0 };
      sweepTemps(dir);
      const tmp = join(dir, `.tmp-${name}.${process.pid}`);
      o.onBuild?.();
      try {
        await build(tmp);
        if (!existsSync(tmp) || statSync(tmp).size === 0) throw new Error(`building ${name}: the builder wrote nothing to ${tmp}`);
        renameSync(tmp, final);
      } finally {
        rmSync(tmp, { force: true });
      }
      return { path: final, cached: false, ms: Date.now() - t0 };
    } finally {
      if (lockOwner(lock) === process.pid) rmSync(lock, { force: true });
    }
  }
}
