import { randomBytes } from 'node:crypto';
import { link, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { OcibakeError } from '../errors.js';
import { ownerState, selfOwner, type ProcessOwner } from './process-owner.js';

/** Options for `withFileLock`. */
export interface FileLockOptions {
  /** How long to wait for another holder before failing (default 60 s). */
  timeoutMs?: number | undefined;
  /**
   * How long a lock whose owner cannot be checked (another pid namespace, an unreadable file) may
   * stay unchanged before it is taken as abandoned (default 60 s). Locks are held for milliseconds.
   */
  staleMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told once when the lock was left by a process that died holding it. */
  onStale?: ((holder: string) => void) | undefined;
}

/** `FileLock` is a held lock: `check` tells whether it is still ours (see `withFileLock`). */
export interface FileLock {
  readonly path: string;
  check(): Promise<boolean>;
}

interface LockRecord extends ProcessOwner {
  nonce: string;
}

/**
 * `withFileLock` runs `fn` holding the lock file `path`, across processes: the file is created
 * with O_EXCL and names its owner (pid, start time, pid namespace), so a lock left by a process
 * killed while holding it is recognised at once and taken over, and one held by a live process
 * is waited for. This is git's `index.lock` with stale-lock recovery; flock(2) is not reachable
 * from Node without a native addon.
 *
 * Taking over a dead owner's lock renames it away first and checks that what was renamed is
 * the dead one (two processes may recover the same stale lock at once); `fn` gets `check()` to
 * confirm, just before it commits, that nobody recovered the lock from under it.
 *
 *   await withFileLock(join(layout, 'index.json.lock'), async (lock) => { ...read, change, write... });
 */
export async function withFileLock<T>(path: string, fn: (lock: FileLock) => Promise<T>, o: FileLockOptions = {}): Promise<T> {
  const record: LockRecord = { ...selfOwner(), nonce: randomBytes(8).toString('hex') };
  const text = JSON.stringify(record);
  await acquire(path, text, o);
  const lock: FileLock = { path, check: async () => (await readFile(path, 'utf8').catch(() => '')) === text };
  try {
    return await fn(lock);
  } finally {
    // Never remove a lock that is no longer ours (recovered by another process after a stall).
    if (await lock.check()) await unlink(path).catch(() => {});
  }
}

async function acquire(path: string, text: string, o: FileLockOptions): Promise<void> {
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let wait = 2;
  for (;;) {
    o.signal?.throwIfAborted();
    try {
      await writeFile(path, text, { flag: 'wx', mode: 0o644 });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw lockError(path, `creating ${path}: ${(err as Error).message}`, err);
    }
    const held = await readFile(path, 'utf8').catch(() => undefined);
    if (held === undefined) continue; // released between our create and our read
    const holder = describe(held);
    if (await abandoned(path, held, o.staleMs ?? 60_000)) {
      if (await recover(path, held)) o.onStale?.(holder);
      continue;
    }
    if (Date.now() > deadline) {
      throw lockError(path, `timed out waiting for ${path}, held by ${holder}`, undefined, `if no ocibake process is using it, remove ${path}`);
    }
    await sleep(wait + Math.random() * wait, o.signal);
    wait = Math.min(wait * 2, 50);
  }
}

async function abandoned(path: string, held: string, staleMs: number): Promise<boolean> {
  let owner: Partial<LockRecord> | undefined;
  try {
    owner = JSON.parse(held) as Partial<LockRecord>;
  } catch {
    owner = undefined;
  }
  if (owner && typeof owner.pid === 'number' && typeof owner.start === 'string') {
    const state = ownerState({ pid: owner.pid, start: owner.start, pidns: owner.pidns });
    if (state !== 'unknown') return state === 'dead';
  }
  // Unreadable (a writer killed between create and write) or not checkable: judge by age.
  const st = await stat(path).catch(() => undefined);
  return st !== undefined && Date.now() - st.mtimeMs > (owner ? staleMs : Math.min(staleMs, 5_000));
}

/**
 * Removes the stale lock whose content is `held`, and only that one: it is renamed aside, and if
 * what was renamed turns out to be a newer lock (another process recovered the stale one and
 * took the lock in between), that lock is linked back. Returns whether the stale lock was ours to remove.
 */
async function recover(path: string, held: string): Promise<boolean> {
  const aside = `${path}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch {
    return false; // someone else moved it first
  }
  const moved = await readFile(aside, 'utf8').catch(() => '');
  if (moved !== held) await link(aside, path).catch(() => {});
  await unlink(aside).catch(() => {});
  return moved === held;
}

function describe(held: string): string {
  try {
    const r = JSON.parse(held) as Partial<LockRecord>;
    return `pid ${String(r.pid)}`;
  } catch {
    return 'an unknown process';
  }
}

function lockError(path: string, message: string, cause?: unknown, hint?: string): OcibakeError {
  return new OcibakeError('OCIBAKE_STORE', message, { cause, hint: hint ?? `check that ${path.replace(/\/[^/]*$/, '')} is writable` });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(done, ms);
    function done(): void {
      signal?.removeEventListener('abort', abort);
      resolve();
    }
    function abort(): void {
      clearTimeout(t);
      reject(signal!.reason as Error);
    }
    signal?.addEventListener('abort', abort, { once: true });
  });
}
