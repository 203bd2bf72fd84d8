import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { LayerEntry } from '../layer/entry.js';
import { tarStream } from '../layer/tar-writer.js';

/**
 * `writeTarFile` streams entries as a deterministic tar into `file`, through a temp file that is
 * fsynced and renamed, so a reader never sees a half-written archive.
 */
export async function writeTarFile(file: string, entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>, sourceDateEpoch = 0, signal?: AbortSignal): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await pipeline(Readable.from(tarStream(entries, { sourceDateEpoch })), createWriteStream(tmp, { flags: 'wx', flush: true }), { signal } as never);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
