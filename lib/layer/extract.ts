import { lstat, mkdir, readdir } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { ConfinedTree, tarPath } from './confined-tree.js';
import { decompress, type LayerCompression } from './decompress.js';
import { UnsafeArchiveError, unsafeEntry } from './errors.js';
import { readTar, TarFormatError, type TarHeader, type TarMember } from './tar-reader.js';

/** Options for `extractLayer`. */
export interface ExtractOptions {
  compression?: LayerCompression | undefined;
  /** Keep an entry? Gets the normalised relative path (`etc/passwd`). Whiteouts get their target's path. */
  filter?: ((path: string, header: TarHeader) => boolean) | undefined;
  /** Apply uid/gid from the layer (default: when running as root). */
  preserveOwner?: boolean | undefined;
  /** Create device nodes (default: when running as root; otherwise a device entry is an error). */
  devices?: boolean | undefined;
}

/** `ExtractResult` counts what `extractLayer` did. */
export interface ExtractResult {
  entries: number;
  whiteouts: number;
}

/** `WHITEOUT_PREFIX` starts the name of an OCI whiteout file (`.wh.<name>` deletes `<name>`; image-spec layer.md). */
export const WHITEOUT_PREFIX = '.wh.';
/** `OPAQUE_MARKER` is the OCI opaque-directory marker: its directory hides all lower-layer content. */
export const OPAQUE_MARKER = '.wh..wh..opq';

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
      await tree.write(m.rel, h, content);
      written.add(m.rel);
      result.entries++;
      return;
    }
    result.whiteouts++;
    await tree.ensureParents(m.rel, h.name);
    if (m.kind === 'whiteout') return tree.remove(m.subject);
    // Opaque: everything in the directory that this layer did not write is lower content.
    for (const name of await readdir(tree.full(m.dir))) {
      const child = m.dir ? `${m.dir}/${name}` : name;
      if (!written.has(child)) await tree.remove(child);
    }
  });
  await tree.finish();
  return result;
}

/** `LayerMember` is what a member's name means in a layer: an entry, a whiteout of `subject`, or the opaque marker of `dir`. */
export type LayerMember =
  | { kind: 'entry'; rel: string; subject: string }
  | { kind: 'whiteout'; rel: string; subject: string; dir: string }
  | { kind: 'opaque'; rel: string; subject: string; dir: string };

/** `classifyMember` cleans a member name (refusing escapes, see `tarPath`) and tells whiteouts and opaque markers apart. */
export function classifyMember(name: string): LayerMember {
  const rel = tarPath(name);
  const slash = rel.lastIndexOf('/');
  const base = rel.slice(slash + 1);
  const dir = slash < 0 ? '' : rel.slice(0, slash);
  if (base === OPAQUE_MARKER) return { kind: 'opaque', rel, subject: rel, dir };
  if (base.startsWith(WHITEOUT_PREFIX) && base.length > WHITEOUT_PREFIX.length) {
    const target = base.slice(WHITEOUT_PREFIX.length);
    if (target === '.' || target === '..') throw unsafeEntry(name, 'whiteout of "." or ".."');
    return { kind: 'whiteout', rel, subject: dir ? `${dir}/${target}` : target, dir };
  }
  return { kind: 'entry', rel, subject: rel };
}

/**
 * `forEachMember` decompresses a layer and calls `fn` for each member in order, turning every
 * failure into an `UnsafeArchiveError` (malformed, truncated, unwritable) and destroying the body
 * on the way out, so a fetch stream never stays open after a failed extraction.
 */
export async function forEachMember(body: Readable, compression: LayerCompression | undefined, fn: (m: TarMember) => Promise<void>): Promise<void> {
  try {
    for await (const member of readTar(decompress(body, compression))) await fn(member);
  } catch (err) {
    body.destroy();
    throw asArchiveError(err);
  }
}

function asArchiveError(err: unknown): Error {
  if (err instanceof UnsafeArchiveError) return err;
  const e = err as NodeJS.ErrnoException;
  if (err instanceof TarFormatError) return unsafeEntry('(layer)', `malformed layer: ${e.message}`);
  if (e?.code && /^(ENOENT|EEXIST|ENOTDIR|EISDIR|EACCES|EPERM|ENOSPC|EMLINK|ENAMETOOLONG)$/.test(e.code)) {
    return unsafeEntry('(layer)', `extracting failed: ${e.message}`);
  }
  return unsafeEntry('(layer)', `malformed layer: ${(e as Error)?.message ?? String(err)}`);
}
