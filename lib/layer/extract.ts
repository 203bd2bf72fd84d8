import { lstat, mkdir } from 'node:fs/promises';
import { readdirNames } from '../io/byte-fs.js';
import type { Readable } from 'node:stream';
import { ConfinedTree, tarPath } from './confined-tree.js';
import type { LayerCompression } from './decompress.js';
import { unsafeEntry } from './errors.js';
import { forEachMember } from './layer-members.js';
import type { TarHeader } from './tar-reader.js';
import { classifyMember } from './whiteout.js';

/** Options for `extractLayer`. */
export interface ExtractOptions {
  compression?: LayerCompression | undefined;
  /** Keep an entry? Gets the normalised relative path (`etc/passwd`). Whiteouts get their target's path. */
  filter?: ((path: string, header: TarHeader) => boolean) | undefined;
  /** Apply uid/gid from the layer (default: when running as root). */
  preserveOwner?: boolean | undefined;
  /** Create device nodes (default: when running as root; otherwise a device entry is an error). */
  devices?: boolean | undefined;
  /**
   * Told about a hard link the filter keeps whose target it does not (`COPY --from=img /usr/bin`
   * where `/usr/bin/x` links to `/usr/lib/x`): the link is not created, the caller makes it a
   * regular file (`readImagePaths`). Without this option such a link is an error.
   */
  onOutsideLink?: ((rel: string, target: string, header: TarHeader) => void) | undefined;
}

/** `ExtractResult` counts what `extractLayer` did. */
export interface ExtractResult {
  entries: number;
  whiteouts: number;
}

/**
 * `extractLayer` stream-extracts a (gzip or plain) layer into `dest`, applying it on top of what
 * `dest` holds, the way a container runtime stacks layers: `.wh.<name>` deletes `<name>`,
 * `.wh..wh..opq` empties its directory of lower-layer content. It refuses (UnsafeArchiveError)
 * absolute paths, `..`, any path through a symlink, hardlinks out of `dest`, and device nodes
 * when not root; files are created with O_EXCL after removing what was there, so a symlink
 * planted by the layer is never written through.
 *
 *   await extractLayer(await store.fetch(layer), 'rootfs', { compression: 'gzip' });
 */
export async function extractLayer(body: Readable, dest: string, options: ExtractOptions = {}): Promise<ExtractResult> {
  await mkdir(dest, { recursive: true });
  const root = await lstat(dest);
  if (!root.isDirectory()) throw unsafeEntry(dest, 'destination is not a directory');
  const isRoot = process.getuid?.() === 0;
  const tree = new ConfinedTree(dest, { owner: options.preserveOwner ?? isRoot, devices: (options.devices ?? isRoot) ? 'create' : 'refuse' });
  const written = new Set<string>();
  const result: ExtractResult = { entries: 0, whiteouts: 0 };
  await forEachMember(body, options.compression, async ({ header: h, body: content }) => {
    const m = classifyMember(h.name);
    if (m.rel === '' || (options.filter && !options.filter(m.subject, h))) return;
    if (m.kind === 'entry') {
      if (h.type === 'link' && options.onOutsideLink && options.filter) {
        const target = tarPath(h.linkname);
        if (target !== '' && !options.filter(target, h)) {
          await tree.ensureParents(m.rel, h.name);
          options.onOutsideLink(m.rel, target, h);
          return;
        }
      }
      await tree.write(m.rel, h, content);
      written.add(m.rel);
      result.entries++;
      return;
    }
    result.whiteouts++;
    await tree.ensureParents(m.rel, h.name);
    if (m.kind === 'whiteout') return tree.remove(m.subject);
    // Opaque: everything in the directory that this layer did not write is lower content.
    for (const name of await readdirNames(tree.full(m.dir))) {
      const child = m.dir ? `${m.dir}/${name}` : name;
      if (!written.has(child)) await tree.remove(child);
    }
  });
  await tree.finish();
  return result;
}
