import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { entrySize, normalizeEntryPath, type LayerEntry } from './entry.js';
import { LayerWriteError } from './errors.js';
import { fsPath } from '../io/byte-names.js';
import { BLOCK, encodeEntryHeaders, padding } from './tar-header.js';

/** Options for `tarStream`. */
export interface TarOptions {
  /** mtime (seconds) of every entry without its own; SOURCE_DATE_EPOCH, else 0. */
  sourceDateEpoch?: number | undefined;
  /** Owner of entries that do not set one (default 0:0). */
  uid?: number | undefined;
  gid?: number | undefined;
}

const TYPEFLAG = { file: '0', hardlink: '1', symlink: '2', 'char-device': '3', 'block-device': '4', dir: '5', fifo: '6' } as const;
// Small files are read whole and a few ahead, so the disk is busy while the previous one is hashed.
const SMALL_FILE = 1 << 20;
const READ_AHEAD = 32;
const EOF_BLOCKS = Buffer.alloc(2 * BLOCK);

/**
 * `tarStream` writes entries, in the order given, as a deterministic POSIX tar (ustar + PAX):
 * no user/group names, device numbers only on device nodes, fixed mtime, no atime/ctime, no end-of-record
 * padding beyond the two zero blocks. The same entries always give the same bytes.
 *
 *   for await (const chunk of tarStream(walkDirectory('ctx', { prefix: '/app' }))) out.write(chunk);
 */
export async function* tarStream(entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>, options: TarOptions = {}): AsyncGenerator<Buffer> {
  const epoch = options.sourceDateEpoch ?? 0;
  for await (const { entry, data } of readAhead(entries)) {
    const name = normalizeEntryPath(entry.path);
    const size = entrySize(entry);
    let linkname = '';
    if (entry.type === 'symlink' || entry.type === 'hardlink') {
      if (entry.linkname === undefined || entry.linkname === '')
        throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `${entry.type} ${entry.path} has no link target`);
      linkname = entry.type === 'hardlink' ? normalizeEntryPath(entry.linkname) : entry.linkname;
    }
    yield encodeEntryHeaders(
      {
        name: entry.type === 'dir' ? `${name}/` : name,
        mode: entry.mode,
        uid: entry.uid ?? options.uid ?? 0,
        gid: entry.gid ?? options.gid ?? 0,
        size,
        mtime: entry.mtime ?? epoch,
        typeflag: TYPEFLAG[entry.type],
        linkname,
        ...(entry.type === 'char-device' || entry.type === 'block-device' ? { devmajor: entry.devmajor ?? 0, devminor: entry.devminor ?? 0 } : {}),
      },
      entry.pax,
    );
    if (size === 0) continue;
    const content = data ? await data : undefined;
    if (content) {
      if (content.byteLength !== size) throw changed(entry, size, content.byteLength);
      yield Buffer.from(content.buffer, content.byteOffset, content.byteLength);
    } else {
      let seen = 0;
      for await (const chunk of await openContent(entry)) {
        seen += (chunk as Buffer).length;
        if (seen > size) throw changed(entry, size, seen);
        yield chunk as Buffer;
      }
      if (seen !== size) throw changed(entry, size, seen);
    }
    const pad = padding(size);
    if (pad) yield Buffer.alloc(pad);
  }
  yield EOF_BLOCKS;
}

async function* readAhead(
  entries: AsyncIterable<LayerEntry> | Iterable<LayerEntry>,
): AsyncGenerator<{ entry: LayerEntry; data?: Promise<Uint8Array> | undefined }> {
  const queue: { entry: LayerEntry; data?: Promise<Uint8Array> | undefined }[] = [];
  for await (const entry of entries) {
    let data: Promise<Uint8Array> | undefined;
    if (entry.type === 'file') {
      if (entry.data) data = Promise.resolve(entry.data);
      else if (entry.source && entry.size !== undefined && entry.size <= SMALL_FILE && entry.size > 0) {
        data = readFile(fsPath(entry.source)).catch((err: unknown) => {
          throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `reading ${entry.source} for ${entry.path}: ${(err as Error).message}`, { cause: err });
        });
        data.catch(() => {});
      }
    }
    queue.push({ entry, data });
    if (queue.length >= READ_AHEAD) yield queue.shift()!;
  }
  yield* queue;
}

async function openContent(entry: LayerEntry): Promise<Readable | AsyncIterable<Buffer>> {
  if (entry.open) return entry.open();
  if (entry.source) {
    const stream = createReadStream(fsPath(entry.source), { highWaterMark: 1 << 20 });
    return (async function* () {
      try {
        for await (const chunk of stream) yield chunk as Buffer;
      } catch (err) {
        throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `reading ${entry.source} for ${entry.path}: ${(err as Error).message}`, { cause: err });
      }
    })();
  }
  throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `file entry ${entry.path} has no content (source, data or open)`);
}

function changed(entry: LayerEntry, expected: number, actual: number): LayerWriteError {
  return new LayerWriteError(
    'OCIBAKE_LAYER_WRITE',
    `${entry.source ?? entry.path} changed while the layer was written (expected ${expected} bytes, got ${actual})`,
    {
      hint: 'do not modify the build context or stage output during a build',
    },
  );
}
