import { createReadStream } from 'node:fs';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BlobReader, Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { layerCompression } from '../oci/media-types.js';
import { ConfinedTree } from './confined-tree.js';
import type { LayerCompression } from './decompress.js';
import { extractLayer } from './extract.js';
import { normalizeEntryPath } from './entry.js';
import { unsafeEntry } from './errors.js';
import type { TarHeader } from './tar-reader.js';

/**
 * `readImagePaths` materialises selected paths of an image (its layers applied in order, with
 * whiteouts) into `dest`, reading only those entries: what `COPY --from=<image> /etc/ssl /x`
 * needs. `paths` are image paths (`/etc/ssl`); everything under each is included. A hard link
 * inside the paths whose target lies outside them becomes a regular file (BuildKit copies the
 * file the link names); links among the copied paths stay links.
 *
 *   await readImagePaths(cache, manifest.layers, ['/etc/ssl/certs'], tmpDir);
 */
export async function readImagePaths(store: BlobReader, layers: readonly Descriptor[], paths: readonly string[], dest: string, o?: Opts): Promise<void> {
  const wanted = paths.map((p) => (p.replace(/\/+$/, '') === '' ? '' : normalizeEntryPath(p)));
  const everything = wanted.includes('');
  const under = (p: string): boolean => everything || wanted.some((w) => p === w || p.startsWith(`${w}/`));
  const above = (p: string): boolean => wanted.some((w) => w.startsWith(`${p}/`));
  for (const layer of layers) {
    const compression = layerCompression(layer.mediaType);
    if (compression === 'zstd') throw unsafeEntry(layer.digest, 'zstd-compressed layers are not supported yet');
    const outside = new Map<string, string>();
    await extractLayer(await store.fetch(layer, o), dest, {
      compression,
      // Opaque markers in a parent of a wanted path still hide lower content under it.
      filter: (p) => under(p) || (p.endsWith('.wh..wh..opq') && above(p.slice(0, -'/.wh..wh..opq'.length))),
      onOutsideLink: (rel, target) => outside.set(rel, target),
    });
    if (outside.size > 0) await linkedFiles(store, layer, compression, dest, outside, o);
  }
}

/**
 * Writes each link of `links` (path → target outside the wanted paths) as a copy of its target,
 * read from a second pass over the same layer (a tar names a hard link's target earlier in the
 * same layer). Several links to one target become one file and hard links to it, as BuildKit's
 * copy keeps the links it sees among the files it copies.
 */
async function linkedFiles(
  store: BlobReader,
  layer: Descriptor,
  compression: LayerCompression,
  dest: string,
  links: ReadonlyMap<string, string>,
  o?: Opts,
): Promise<void> {
  const targets = new Set(links.values());
  const side = await mkdtemp(join(dirname(dest), '.link-targets-'));
  try {
    await extractLayer(await store.fetch(layer, o), side, { compression, filter: (p) => targets.has(p) });
    const isRoot = process.getuid?.() === 0;
    const tree = new ConfinedTree(dest, { owner: isRoot, devices: 'refuse' });
    const first = new Map<string, string>();
    for (const [rel, target] of links) {
      const seen = first.get(target);
      if (seen !== undefined) {
        await tree.write(rel, header(rel, 'link', { linkname: seen }), none());
        continue;
      }
      const from = join(side, target);
      const st = await lstat(from).catch(() => undefined);
      if (!st?.isFile()) throw unsafeEntry(rel, `hardlink target ${target} is not a file in the same layer`);
      await tree.write(rel, header(rel, 'file', { mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, size: st.size, mtime: st.mtime }), createReadStream(from));
      first.set(target, rel);
    }
    await tree.finish();
  } finally {
    await rm(side, { recursive: true, force: true });
  }
}

function header(name: string, type: 'file' | 'link', f: Partial<TarHeader>): TarHeader {
  return {
    name,
    type,
    typeflag: type === 'file' ? '0' : '1',
    mode: 0o644,
    uid: 0,
    gid: 0,
    size: 0,
    mtime: new Date(0),
    linkname: '',
    devmajor: 0,
    devminor: 0,
    pax: {},
    xattrs: {},
    ...f,
  };
}

async function* none(): AsyncGenerator<Buffer> {}
