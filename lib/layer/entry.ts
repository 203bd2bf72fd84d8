import type { Readable } from 'node:stream';
import { LayerWriteError } from './errors.js';

/**
 * `EntryType` is the kind of a layer entry (the tar typeflags ocibake writes). FIFOs and device
 * nodes come only from a RUN's diff (`mkfifo`, `mknod` in an image), never from a build context.
 */
export type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink' | 'fifo' | 'char-device' | 'block-device';

/**
 * `LayerEntry` is one file system object to put in a layer. `path` is the path inside the image
 * (`/app/bin/x` or `app/bin/x`). A file's bytes come from exactly one of `source` (a host path,
 * read when the entry is written), `data`, or `open`. `mtime` (seconds) overrides the layer's
 * SOURCE_DATE_EPOCH for this entry only.
 */
export interface LayerEntry {
  path: string;
  type: EntryType;
  mode: number;
  uid?: number | undefined;
  gid?: number | undefined;
  mtime?: number | undefined;
  /** Byte length of a file; required with `source` and `open`, taken from `data` otherwise. */
  size?: number | undefined;
  /** Target of a symlink (as written) or of a hardlink (a path inside the image). */
  linkname?: string | undefined;
  source?: string | undefined;
  data?: Uint8Array | undefined;
  open?: (() => Promise<Readable> | Readable) | undefined;
  /** Device numbers of a `char-device` or `block-device` entry. */
  devmajor?: number | undefined;
  devminor?: number | undefined;
  /** PAX records to add (e.g. `SCHILY.xattr.*`, whose values are raw bytes); written sorted by key. */
  pax?: Record<string, string | Uint8Array> | undefined;
}

/**
 * `normalizeEntryPath` turns an image path into the form stored in a layer: relative, no `.`
 * segments, `/`-separated. `..` is refused: a layer we write must never escape its root.
 */
export function normalizeEntryPath(path: string): string {
  const parts: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..')
      throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `layer path ${JSON.stringify(path)} contains ".."`, {
        hint: 'paths inside an image are absolute and never go up',
      });
    parts.push(seg);
  }
  if (parts.length === 0)
    throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `layer path ${JSON.stringify(path)} names the root`, { hint: 'the image root itself is not an entry' });
  return parts.join('/');
}

/** `entrySize` is the number of content bytes the entry carries in the tar. */
export function entrySize(e: LayerEntry): number {
  if (e.type !== 'file') return 0;
  if (e.data) return e.data.byteLength;
  if (e.size === undefined) throw new LayerWriteError('OCIBAKE_LAYER_WRITE', `layer entry ${e.path} has no size`);
  return e.size;
}
