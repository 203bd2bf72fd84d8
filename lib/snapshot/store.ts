import { randomBytes } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ownerState, ownerTagWithNamespace, parseOwnerTag } from '../io/process-owner.js';
import { SnapshotError } from './errors.js';
import { readMeta, writeMeta, type SnapshotMeta } from './meta.js';
import type { SnapshotMode } from './mode.js';

/** `Snapshot` is one snapshot in a store: `fs` is the overlay-ready directory, `meta` its record. */
export interface Snapshot {
  id: string;
  /** `<root>/<mode>/<id>`, holding `fs/` and `meta.json`. */
  dir: string;
  fs: string;
  meta: SnapshotMeta;
}

// Ids become path components and overlay `lowerdir` entries, where `:` and `,` are separators.
const ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TMP = '.tmp';

/**
 * `SnapshotStore` keeps content-addressed snapshots under `<root>/<mode>/<id>/{fs/,meta.json}`.
 * A snapshot is built or moved into a temp dir under `<root>/<mode>/.tmp/` and renamed into
 * place in one step, so an id is either absent or complete: a process killed at any moment
 * leaves only a temp dir (removed by `sweep` once its process is gone), and when two processes
 * create the same id, the first rename wins and the other discards its copy and returns the
 * winner's. Modes are kept apart because their on-disk formats differ (see `SnapshotMode`).
 *
 * In `userns` mode, use the store from inside the user namespace: its files belong to ids only
 * that namespace can remove.
 *
 *   const store = new SnapshotStore(join(cache, 'snapshots'), 'root');
 *   const base = await store.create(diffId.slice(7), (fs) => unpackLayerToDiffDir(body, fs, { mode: 'root' }));
 *   const run = await store.adopt(stepKey, upper, (await diffUpperDir(upper, { mode: 'root', lower, sourceDateEpoch })).meta);
 */
export class SnapshotStore {
  readonly root: string;
  readonly mode: SnapshotMode;
  readonly #base: string;
  readonly #inflight = new Map<string, Promise<Snapshot>>();

  constructor(root: string, mode: SnapshotMode) {
    this.root = root;
    this.mode = mode;
    this.#base = join(root, mode);
  }

  /** `path` is where snapshot `id` lives (whether or not it exists yet). */
  path(id: string): string {
    return join(this.#base, checkId(id));
  }

  /** `get` is snapshot `id`, or undefined when the store does not have it. */
  async get(id: string): Promise<Snapshot | undefined> {
    const dir = this.path(id);
    const st = await stat(dir).catch(() => undefined);
    if (!st) return undefined;
    const meta = await readMeta(join(dir, 'meta.json'));
    if (meta.mode !== this.mode) throw new SnapshotError('OCIBAKE_STORE', `snapshot ${dir} was made for mode ${meta.mode}, not ${this.mode}`);
    return { id, dir, fs: join(dir, 'fs'), meta };
  }

  /**
   * `create` returns snapshot `id`, building it first when missing: `build` fills an empty
   * `fs` directory and returns its metadata. Concurrent calls for one id in this process share
   * one build.
   */
  async create(id: string, build: (fsDir: string) => Promise<SnapshotMeta>): Promise<Snapshot> {
    const existing = await this.get(id);
    if (existing) return existing;
    let p = this.#inflight.get(id);
    if (!p) {
      p = this.#publish(id, async (tmp) => {
        await mkdir(join(tmp, 'fs'));
        return build(join(tmp, 'fs'));
      }).finally(() => this.#inflight.delete(id));
      this.#inflight.set(id, p);
    }
    return p;
  }

  /**
   * `adopt` moves an existing directory (a RUN's upper dir, made with `scratch`) in as snapshot
   * `id`, without copying. When `id` exists already, `dir` is removed and the existing one returned.
   */
  async adopt(id: string, dir: string, meta: SnapshotMeta): Promise<Snapshot> {
    if (meta.mode !== this.mode)
      throw new SnapshotError('OCIBAKE_INVALID_ARGUMENT', `adopting ${dir}: metadata is for mode ${meta.mode}, the store is ${this.mode}`);
    return this.#publish(id, async (tmp) => {
      try {
        await rename(dir, join(tmp, 'fs'));
      } catch (err) {
        const hint = (err as NodeJS.ErrnoException).code === 'EXDEV' ? "make the upper dir with store.scratch(), on the store's filesystem" : undefined;
        throw new SnapshotError('OCIBAKE_STORE', `adopting ${dir} as snapshot ${id}: ${(err as Error).message}`, { cause: err, hint });
      }
      return meta;
    });
  }

  /**
   * `scratch` makes a fresh directory on the store's filesystem for a RUN's upper and work dirs,
   * so `adopt` can rename the upper in. Remove it when done; `sweep` removes those of dead processes.
   */
  async scratch(): Promise<string> {
    return this.#tmpDir('scratch');
  }

  /** `sweep` removes temp dirs left by processes that no longer run (killed builds). Returns how many. */
  async sweep(): Promise<number> {
    const tmp = join(this.#base, TMP);
    let removed = 0;
    for (const name of await readdir(tmp).catch(() => [])) {
      const owner = parseOwnerTag(name.replace(/^(?:build|scratch|trash)-/, ''));
      if (owner && ownerState(owner) !== 'dead') continue;
      await rm(join(tmp, name), { recursive: true, force: true });
      removed++;
    }
    return removed;
  }

  /** `remove` deletes snapshot `id`; it disappears at once (renamed away), then is deleted. */
  async remove(id: string): Promise<void> {
    const dir = this.path(id);
    const trash = await this.#tmpDir('trash');
    try {
      await rename(dir, join(trash, 'old'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
        throw new SnapshotError('OCIBAKE_STORE', `removing snapshot ${dir}: ${(err as Error).message}`, { cause: err });
    }
    await rm(trash, { recursive: true, force: true });
  }

  async #publish(id: string, fill: (tmp: string) => Promise<SnapshotMeta>): Promise<Snapshot> {
    const final = this.path(id);
    const tmp = await this.#tmpDir('build');
    try {
      const meta = await fill(tmp);
      if (meta.mode !== this.mode) throw new SnapshotError('OCIBAKE_STORE', `snapshot ${id} was built for mode ${meta.mode}, the store is ${this.mode}`);
      await writeMeta(join(tmp, 'meta.json'), meta);
      try {
        // rename(2) of a directory onto an existing non-empty one fails: the first creator wins.
        await rename(tmp, final);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
      }
    } catch (err) {
      await rm(tmp, { recursive: true, force: true }).catch(() => {});
      if (err instanceof SnapshotError || (err as { code?: string }).code?.startsWith('OCIBAKE_')) throw err;
      throw new SnapshotError('OCIBAKE_STORE', `creating snapshot ${final}: ${(err as Error).message}`, { cause: err });
    }
    await rm(tmp, { recursive: true, force: true });
    const snap = await this.get(id);
    if (!snap) throw new SnapshotError('OCIBAKE_STORE', `snapshot ${final} vanished right after it was created`, { hint: 'another process removed it; retry' });
    return snap;
  }

  async #tmpDir(kind: 'build' | 'scratch' | 'trash'): Promise<string> {
    const dir = join(this.#base, TMP, `${kind}-${ownerTagWithNamespace()}-${randomBytes(6).toString('hex')}`);
    await mkdir(dir, { recursive: true });
    return dir;
  }
}

function checkId(id: string): string {
  if (!ID.test(id))
    throw new SnapshotError('OCIBAKE_INVALID_ARGUMENT', `snapshot id ${JSON.stringify(id)} is not [A-Za-z0-9._-]{1,128}`, {
      hint: 'use the hex of a digest (no "sha256:" prefix)',
    });
  return id;
}
