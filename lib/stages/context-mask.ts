import { lstat, mkdir, readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { PathFilter } from '../context/entry.js';
import { ContextError } from '../context/errors.js';
import { WhiteoutMaker } from '../snapshot/whiteout-maker.js';

/** What a bind mount of the build context shows: the host path, and a layer of whiteouts hiding what .dockerignore excludes. */
export interface ContextMask {
  source: string;
  file: boolean;
  /** A directory of overlay whiteouts, one per excluded path below `source`, to mount above it. */
  dir: string;
  masked: boolean;
}

/**
 * `contextMask` prepares `RUN --mount=type=bind` of the build context (`source` relative to it).
 * BuildKit's context never holds what .dockerignore excludes, so neither may the mount: each
 * excluded path below the source becomes a whiteout in a small layer mounted above it (the
 * context itself is never written: the mount is read-only, or writable into a throw-away upper).
 */
export async function contextMask(contextDir: string, source: string, ignore: PathFilter, maskDir: string): Promise<ContextMask> {
  const root = await realpath(contextDir);
  let host: string;
  try {
    host = await realpath(join(root, source.replace(/^\/+/, '')));
  } catch {
    throw new ContextError('OCIBAKE_CONTEXT', `RUN --mount=type=bind: source ${source} not found in the build context`, {
      hint: 'check source= (relative to the build context)',
    });
  }
  if (host !== root && !host.startsWith(root + sep))
    throw new ContextError('OCIBAKE_CONTEXT', `RUN --mount=type=bind: source ${source} points outside the build context (${host})`, {
      hint: 'a bind mount can only show files inside the build context',
    });
  // .dockerignore names the paths the source resolves to (a symlinked source shows its target's files).
  const rel = relative(root, host).split(sep).join('/');
  if (rel !== '' && ignore.ignores(rel))
    throw new ContextError('OCIBAKE_CONTEXT', `RUN --mount=type=bind: source ${source} is excluded by .dockerignore`, {
      hint: 'remove the matching line from .dockerignore, or mount another path',
    });
  const st = await stat(host);
  await mkdir(maskDir, { recursive: true });
  if (!st.isDirectory()) return { source: host, file: true, dir: maskDir, masked: false };
  const hidden: string[] = [];
  const visit = async (dir: string, relDir: string): Promise<void> => {
    for (const name of (await readdir(dir)).sort()) {
      const r = relDir === '' ? name : `${relDir}/${name}`;
      const inContext = rel === '' ? r : `${rel}/${r}`;
      const p = join(dir, name);
      if (ignore.ignores(inContext) && !ignore.hasExceptions) {
        hidden.push(r);
        continue;
      }
      const s = await lstat(p);
      if (ignore.ignores(inContext) && !s.isDirectory()) hidden.push(r);
      else if (s.isDirectory()) await visit(p, r);
    }
  };
  await visit(host, '');
  if (hidden.length === 0) return { source: host, file: false, dir: maskDir, masked: false };
  const wh = new WhiteoutMaker(maskDir);
  try {
    for (const h of hidden) {
      const parts = h.split('/');
      await mkdir(join(maskDir, ...parts.slice(0, -1)), { recursive: true });
      await wh.make(join(maskDir, ...parts));
    }
  } finally {
    await wh.close();
  }
  return { source: host, file: false, dir: maskDir, masked: true };
}
