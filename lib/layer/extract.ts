import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { chmod, lchown, link, lstat, lutimes, mkdir, readdir, rm, symlink, unlink, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, type Header } from 'tar-stream';
import { decompress, type LayerCompression } from './decompress.js';
import { UnsafeArchiveError, unsafeEntry } from './errors.js';

/** Options for `extractLayer`. */
export interface ExtractOptions {
  compression?: LayerCompression | undefined;
  /** Keep an entry? Gets the normalised relative path (`etc/passwd`). Whiteouts get their target's path. */
  filter?: ((path: string, header: Header) => boolean) | undefined;
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

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

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
  const ctx: Ctx = { dest, written: new Set(), dirs: new Set(), dirTimes: [], owner: options.preserveOwner ?? isRoot, devices: options.devices ?? isRoot };
  const result: ExtractResult = { entries: 0, whiteouts: 0 };
  const ex = tarExtract();
  const feeding = feed(decompress(body, options.compression), ex).catch((err: unknown) => {
    ex.destroy(err as Error);
    throw err;
  });
  feeding.catch(() => {});
  try {
    for await (const entry of ex) {
      const h = entry.header;
      const rel = safeRelative(h.name);
      const base = rel.split('/').at(-1) ?? '';
      const isWhiteout = base.startsWith(WHITEOUT);
      const subject = isWhiteout && base !== OPAQUE ? rel.slice(0, rel.length - base.length) + base.slice(WHITEOUT.length) : rel;
      if (rel === '' || (options.filter && !options.filter(subject, h))) {
        entry.resume();
        continue;
      }
      if (isWhiteout) {
        result.whiteouts++;
        await applyWhiteout(ctx, rel, base);
      } else {
        await writeEntry(ctx, rel, h, entry as AsyncIterable<Buffer>);
        ctx.written.add(rel);
        result.entries++;
      }
      entry.resume();
    }
    await feeding;
  } catch (err) {
    ex.destroy(err as Error);
    body.destroy();
    throw asArchiveError(err);
  }
  // Directory times last: creating children updates a directory's mtime.
  for (const [path, mtime] of ctx.dirTimes.reverse()) await utimes(path, mtime, mtime).catch(() => {});
  return result;
}

interface Ctx {
  dest: string;
  written: Set<string>;
  dirs: Set<string>;
  dirTimes: [string, Date][];
  owner: boolean;
  devices: boolean;
}

/** Tar names are relative; `./` prefixes are common (Alpine's minirootfs) and harmless. */
function safeRelative(name: string): string {
  if (name.startsWith('/')) throw unsafeEntry(name, 'absolute path');
  if (name.includes('\0')) throw unsafeEntry(name, 'NUL in path');
  const parts = name.split('/').filter((s) => s !== '' && s !== '.');
  if (parts.includes('..')) throw unsafeEntry(name, '".." in path');
  return parts.join('/');
}

/** Makes every parent of `rel` a real directory inside dest, refusing symlinks on the way. */
async function ensureParents(ctx: Ctx, rel: string, what: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let cur = '';
  for (const part of parts) {
    cur = cur ? `${cur}/${part}` : part;
    if (ctx.dirs.has(cur)) continue;
    const full = join(ctx.dest, cur);
    const st = await lstat(full).catch(() => undefined);
    if (!st) await mkdir(full, { mode: 0o755 });
    else if (st.isSymbolicLink()) throw unsafeEntry(what, `path goes through the symlink ${cur}`);
    else if (!st.isDirectory()) throw unsafeEntry(what, `parent ${cur} is not a directory`);
    ctx.dirs.add(cur);
  }
}

async function applyWhiteout(ctx: Ctx, rel: string, base: string): Promise<void> {
  await ensureParents(ctx, rel, rel);
  const parent = rel.slice(0, rel.length - base.length).replace(/\/$/, '');
  const parentFull = parent ? join(ctx.dest, parent) : ctx.dest;
  ctx.dirs.clear();
  if (base === OPAQUE) {
    for (const name of await readdir(parentFull)) {
      const childRel = parent ? `${parent}/${name}` : name;
      if (!ctx.written.has(childRel)) await rm(join(parentFull, name), { recursive: true, force: true });
    }
    return;
  }
  await rm(join(parentFull, base.slice(WHITEOUT.length)), { recursive: true, force: true });
}

async function writeEntry(ctx: Ctx, rel: string, h: Header, body: AsyncIterable<Buffer>): Promise<void> {
  await ensureParents(ctx, rel, h.name);
  const full = join(ctx.dest, rel);
  const mode = (h.mode ?? 0o644) & 0o7777;
  const existing = await lstat(full).catch(() => undefined);
  const type = h.type ?? 'file';
  if (type === 'directory') {
    if (existing && !existing.isDirectory()) await rm(full, { force: true });
    if (!existing || !existing.isDirectory()) await mkdir(full, { mode: 0o700 });
    ctx.dirs.add(rel);
    await own(ctx, full, h);
    await chmod(full, mode);
    if (h.mtime) ctx.dirTimes.push([full, h.mtime]);
    return;
  }
  if (existing) await rm(full, { recursive: existing.isDirectory(), force: true });
  ctx.dirs.delete(rel);
  switch (type) {
    case 'file':
    case 'contiguous-file':
      await pipeline(body, createWriteStream(full, { flags: 'wx', mode: 0o600 }));
      break;
    case 'symlink':
      await symlink(h.linkname ?? '', full);
      await own(ctx, full, h);
      if (h.mtime) await lutimes(full, h.mtime, h.mtime).catch(() => {});
      return;
    case 'link': {
      const target = safeRelative(h.linkname ?? '');
      if (target === '') throw unsafeEntry(h.name, 'hardlink to the root');
      await ensureParents(ctx, target, h.name);
      const st = await lstat(join(ctx.dest, target)).catch(() => undefined);
      if (!st) throw unsafeEntry(h.name, `hardlink target ${target} does not exist`);
      if (st.isDirectory()) throw unsafeEntry(h.name, 'hardlink to a directory');
      await link(join(ctx.dest, target), full);
      return;
    }
    case 'character-device':
    case 'block-device':
    case 'fifo':
      makeNode(ctx, full, h);
      break;
    default:
      throw unsafeEntry(h.name, `unsupported entry type ${String(type)}`);
  }
  await own(ctx, full, h);
  await chmod(full, mode);
  if (h.mtime) await utimes(full, h.mtime, h.mtime);
}

/** tar-stream's extractor is a streamx Writable; feeding it by hand keeps backpressure explicit. */
async function feed(src: Readable, ex: ReturnType<typeof tarExtract>): Promise<void> {
  for await (const chunk of src) {
    if (!ex.write(chunk as Buffer)) await new Promise<void>((resolve) => ex.once('drain', () => resolve()));
  }
  ex.end(undefined as never);
}

function makeNode(ctx: Ctx, full: string, h: Header): void {
  if (h.type !== 'fifo' && !ctx.devices) throw unsafeEntry(h.name, 'device nodes can only be created as root');
  // Node has no mknod(2); the coreutils tools do exactly that one syscall.
  const args = h.type === 'fifo' ? ['mkfifo', full] : ['mknod', full, h.type === 'block-device' ? 'b' : 'c', String(h.devmajor ?? 0), String(h.devminor ?? 0)];
  const res = spawnSync(args[0]!, args.slice(1), { stdio: 'ignore' });
  if (res.status !== 0) throw unsafeEntry(h.name, `could not create ${h.type} (${args[0]} failed)`);
}

async function own(ctx: Ctx, full: string, h: Header): Promise<void> {
  if (ctx.owner) await lchown(full, h.uid ?? 0, h.gid ?? 0);
}

function asArchiveError(err: unknown): Error {
  if (err instanceof UnsafeArchiveError) return err;
  const e = err as NodeJS.ErrnoException;
  if (e?.code && /^(ENOENT|EEXIST|ENOTDIR|EISDIR|EACCES|EPERM|ENOSPC)$/.test(e.code)) {
    return unsafeEntry('(layer)', `extracting failed: ${e.message}`);
  }
  return unsafeEntry('(layer)', `malformed layer: ${(e as Error)?.message ?? String(err)}`);
}
