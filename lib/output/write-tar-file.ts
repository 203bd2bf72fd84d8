import { Readable } from 'node:stream';
import { writeFileAtomic } from '../io/atomic-write.js';
import type { LayerEntry } from '../layer/entry.js';
import { tarStream } from '../layer/tar-writer.js';

/**
 * `writeTarFile` streams entries as a deterministic tar into `file`, through a temp file that is
 * fsynced and renamed, so a reader never sees a half-written archive.
 */
export async function writeTarFile(
  file: string,
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
  sourceDateEpoch = 0,
  signal?: AbortSignal,
): Promise<void> {
  await writeFileAtomic(file, Readable.from(tarStream(entries, { sourceDateEpoch })), { signal });
}
