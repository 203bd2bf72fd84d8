import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile, lstat, readlink } from 'node:fs/promises';
import { join } from 'node:path';
import { FileHasher } from '../context/entries-digest.js';
import { copyTree } from './copy-tree.js';

/** `CacheMeta` is what a stage cache entry records besides its filesystem. Never holds secret values. */
export interface CacheMeta {
  key: string;
  /** Content digest of the output tree (what dependents key on). */
  digest: string;
  instance: string;
  createdMs: number;
  runs: number;
}

/**
 * `cacheKey` hashes a stage instance's inputs, given as a plain JSON-able value (expanded
 * instructions, env, platform, base, context digests, dependency output digests, toolchain
 * versions). Key order is normalised so equal inputs give equal keys.
 */
export function cacheKey(inputs: unknown): string {
  return createHash('sha256').update(stableJson(inputs)).digest('hex');
}

function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(o[k])}`)
    .join(',')}}`;
}

/**
 * `treeDigest` is the content digest of a directory tree: relative paths, types, modes, link
 * targets and file bytes, in sorted order (mtimes excluded, so an identical rebuild keeps it).
 */
export async function treeDigest(root: string, hasher = new FileHasher()): Promise<string> {
  const h = createHash('sha256');
  const visit = async (dir: string, rel: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const p = join(dir, name);
      const r = `${rel}/${name}`;
      const st = await lstat(p);
      const mode = (st.mode & 0o7777).toString(8);
      if (st.isDirectory()) {
        h.update(`d ${r} ${mode}\n`);
        await visit(p, r);
      } else if (st.isSymbolicLink()) h.update(`l ${r} ${await readlink(p)}\n`);
      else if (st.isFile()) h.update(`f ${r} ${mode} ${await hasher.hash(p)}\n`);
      else h.update(`o ${r} ${mode} ${st.rdev}\n`);
    }
  };
  await visit(root, '');
  return `sha256:${h.digest('hex')}`;
}

/**
 * `StageCache` keeps finished stage outputs under `<cacheDir>/stages/<key>/{rootfs,meta.json}`.
 * An entry is published by renaming a fully written temp dir, so a killed build leaves either
 * the old state or the complete entry, never half of one; leftover temp dirs are ignored and
 * swept on the next start.
 */
export class StageCache {
  readonly dir: string;

  /** `dir` holds the entries (`CacheLayout.stages`). */
  constructor(dir: string) {
    this.dir = dir;
  }

  /** `get` returns a complete entry (meta.json is written last, inside the temp dir) or undefined. */
  async get(key: string): Promise<{ rootfs: string; meta: CacheMeta } | undefined> {
    try {
      const meta = JSON.parse(await readFile(join(this.dir, key, 'meta.json'), 'utf8')) as CacheMeta;
      if (meta.key !== key) return undefined;
      return { rootfs: join(this.dir, key, 'rootfs'), meta };
    } catch {
      return undefined;
    }
  }

  /**
   * `put` moves (or copies, across filesystems) a finished rootfs into the cache and returns the
   * entry. If another build published the same key first, theirs is kept and ours dropped.
   */
  async put(key: string, rootfs: string, meta: CacheMeta): Promise<{ rootfs: string; meta: CacheMeta }> {
    await mkdir(this.dir, { recursive: true });
    const tmp = join(this.dir, `.tmp-${key.slice(0, 16)}-${randomBytes(6).toString('hex')}`);
    await mkdir(tmp);
    try {
      try {
        await rename(rootfs, join(tmp, 'rootfs'));
      } catch {
        await copyTree(rootfs, join(tmp, 'rootfs'));
      }
      await writeFile(join(tmp, 'meta.json'), JSON.stringify(meta));
      try {
        await rename(tmp, join(this.dir, key));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw err;
        await rm(tmp, { recursive: true, force: true });
      }
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
    const entry = await this.get(key);
    if (!entry) throw new Error(`stage cache entry ${key} vanished after publishing`);
    return entry;
  }

  /** `sweep` removes temp dirs older than `ageMs` that killed builds left behind. */
  async sweep(ageMs = 60 * 60 * 1000): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names) {
      if (!n.startsWith('.tmp-')) continue;
      const st = await stat(join(this.dir, n)).catch(() => undefined);
      if (st && Date.now() - st.mtimeMs > ageMs) await rm(join(this.dir, n), { recursive: true, force: true });
    }
  }
}
