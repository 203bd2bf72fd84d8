import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ContextEntry } from './entry.js';
import { fsPath } from '../io/byte-names.js';

/**
 * `FileHasher` hashes host files once per (path, inode, size, mtime) and remembers the result,
 * so a build that reads the same context file for seven platforms hashes it once.
 */
export class FileHasher {
  readonly #memo = new Map<string, Promise<string>>();

  /** `hash` is the hex sha256 of a file's bytes. */
  async hash(path: string): Promise<string> {
    const st = await stat(fsPath(path));
    const key = `${path}\0${st.ino}\0${st.size}\0${st.mtimeMs}`;
    let p = this.#memo.get(key);
    if (!p) {
      p = new Promise<string>((resolve, reject) => {
        const h = createHash('sha256');
        createReadStream(fsPath(path))
          .on('data', (c) => h.update(c))
          .on('error', reject)
          .on('end', () => resolve(h.digest('hex')));
      });
      this.#memo.set(key, p);
    }
    return p;
  }
}

/**
 * `entriesDigest` is a content digest of what a COPY/ADD writes: paths, types, modes, owners,
 * link targets and file bytes (not mtimes: touching a file without changing it must not
 * invalidate the stage cache).
 */
export async function entriesDigest(entries: readonly ContextEntry[], hasher: FileHasher): Promise<string> {
  const h = createHash('sha256');
  for (const e of entries) {
    let content = '';
    if (e.type === 'file') content = e.content !== undefined ? createHash('sha256').update(e.content).digest('hex') : await hasher.hash(e.hostPath!);
    h.update(JSON.stringify([e.type, e.destPath, e.mode, e.uid, e.gid, e.linkTarget ?? '', content, e.implicit ? 1 : 0]));
    h.update('\n');
  }
  return `sha256:${h.digest('hex')}`;
}
