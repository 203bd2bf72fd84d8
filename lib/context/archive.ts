import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, open, symlink, copyFile } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { extract } from 'tar-stream';
import type { ContextEntry } from './entry.js';
import { ContextError } from './errors.js';

/** `ArchiveKind` is what `ADD` recognises as a local archive to unpack (by magic bytes, like Docker). */
export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** `sniffArchive` reads a file's first bytes and names the archive format, or undefined for anything else. */
export async function sniffArchive(path: string): Promise<ArchiveKind | undefined> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    const b = buf.subarray(0, bytesRead);
    if (b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
    if (b.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
    if (b.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
    if (b.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) return 'zstd';
    if (bytesRead >= 262 && b.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    return undefined;
  } finally {
    await fh.close();
  }
}

function decompressed(path: string, kind: ArchiveKind): Readable {
  const file = createReadStream(path);
  if (kind === 'tar') return file;
  if (kind === 'gzip') return file.pipe(createGunzip());
  // Node has no bzip2/xz/zstd decoder; the host's tools are the well-kept implementations.
  const tool = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' }[kind];
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.on('error', () => child.stdout.destroy(new ContextError(`ADD ${path}: ${kind} archives need the "${tool}" command`, `install ${tool}, or recompress the archive with gzip`)));
  file.pipe(child.stdin);
  return child.stdout;
}

/**
 * `extractArchive` unpacks a local tar (plain, gzip, bzip2, xz, zstd) for `ADD` into `workDir`
 * and returns one entry per member with `destPath` under `destDir`. Member paths are cleaned
 * (leading `/` and `..` cannot escape), owners and modes come from the headers, hard links
 * become copies and device nodes are skipped.
 */
export async function extractArchive(path: string, kind: ArchiveKind, destDir: string, workDir: string): Promise<ContextEntry[]> {
  await mkdir(workDir, { recursive: true });
  const entries: ContextEntry[] = [];
  const seen = new Map<string, string>();
  const ex = extract();
  ex.on('entry', (h, stream, next) => {
    const rel = posix.normalize(`/${h.name}`).replace(/^\/+/, '').replace(/\/+$/, '');
    const done = (err?: unknown): void => {
      stream.resume();
      next(err as Error | undefined);
    };
    if (rel === '' || rel === '.') return done();
    const host = join(workDir, rel);
    const base = { destPath: posix.join(destDir, rel), mode: (h.mode ?? 0o644) & 0o7777, uid: h.uid ?? 0, gid: h.gid ?? 0, size: 0 };
    const mtimeMs = h.mtime ? h.mtime.getTime() : undefined;
    const withTime = <T extends ContextEntry>(e: T): T => (mtimeMs === undefined ? e : { ...e, mtimeMs });
    (async () => {
      await mkdir(join(host, '..'), { recursive: true });
      if (h.type === 'directory') {
        await mkdir(host, { recursive: true });
        entries.push(withTime({ ...base, type: 'dir' }));
      } else if (h.type === 'symlink') {
        await symlink(h.linkname ?? '', host).catch(() => undefined);
        entries.push(withTime({ ...base, type: 'symlink', linkTarget: h.linkname ?? '' }));
      } else if (h.type === 'link') {
        const from = seen.get(posix.normalize(`/${h.linkname ?? ''}`).replace(/^\/+/, ''));
        if (from) {
          await copyFile(from, host);
          const orig = entries.find((e) => e.hostPath === from);
          entries.push(withTime({ ...base, type: 'file', hostPath: host, size: orig?.size ?? 0, mode: orig?.mode ?? base.mode }));
        }
      } else if (h.type === 'file' || h.type === 'contiguous-file' || h.type == null) {
        await pipeline(stream, createWriteStream(host));
        seen.set(rel, host);
        entries.push(withTime({ ...base, type: 'file', hostPath: host, size: h.size ?? 0 }));
      }
    })().then(() => done(), done);
  });
  try {
    await pipeline(decompressed(path, kind), ex);
  } catch (err) {
    if (err instanceof ContextError) throw err;
    throw new ContextError(`ADD ${path}: cannot unpack the ${kind} archive: ${(err as Error).message}`, 'check that the file is a complete archive');
  }
  return entries;
}
