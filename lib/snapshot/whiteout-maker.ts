import { randomBytes } from 'node:crypto';
import { linkSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { runTool } from './tools.js';

/**
 * `WhiteoutMaker` creates overlayfs whiteouts (char 0:0 devices) without one `mknod` spawn each:
 * it makes one template node with `mknod` and hard-links it to every whiteout path, as the
 * kernel itself does since 5.8 (one shared whiteout inode per upper dir). A layer can hold
 * thousands of whiteouts. Linking a char 0:0 node is allowed in a user namespace too, since it
 * is ours. At the filesystem's link limit (65000 on ext4) a fresh template is made.
 *
 *   const wh = new WhiteoutMaker(fsDir); await wh.make(join(fsDir, 'etc/motd')); await wh.close();
 */
export class WhiteoutMaker {
  readonly #dir: string;
  readonly #templates: string[] = [];
  #current: string | undefined;

  /** `dir` must be on the same filesystem as the whiteouts; the templates live there until `close`. */
  constructor(dir: string) {
    this.#dir = dir;
  }

  /** `make` creates a whiteout at `full` (which must not exist; its parents must be checked by the caller). */
  async make(full: string): Promise<void> {
    if (this.#current === undefined) await this.#fresh();
    try {
      linkSync(this.#current!, full);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EMLINK') throw err;
      await this.#fresh();
      linkSync(this.#current!, full);
    }
  }

  /** `close` removes the templates; the whiteouts stay. */
  async close(): Promise<void> {
    for (const t of this.#templates.splice(0)) await unlink(t).catch(() => {});
    this.#current = undefined;
  }

  async #fresh(): Promise<void> {
    const path = join(this.#dir, `.ocibake-whiteout-${process.pid}-${randomBytes(6).toString('hex')}`);
    await runTool('mknod', ['-m', '0', path, 'c', '0', '0']);
    this.#templates.push(path);
    this.#current = path;
  }
}
