import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PassThrough, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { readTar, type TarHeader } from '../layer/tar-reader.js';
import type { ContextEntry } from './entry.js';
import { ContextError } from './errors.js';
import { ArchiveTree, ArchiveTreeError } from './archive-tree.js';
import { cleanRelative } from './scoped-path.js';
import { pipeTo } from '../io/pipe-to.js';
import { fsPath } from '../io/byte-names.js';

/** `ArchiveKind` is what `ADD` recognises as a local archive to unpack (by magic bytes, like Docker). */
export type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** `sniffArchive` reads a file's first bytes and names the archive format, or undefined for anything else. */
export async function sniffArchive(path: string): Promise<ArchiveKind | undefined> {
  const fh = await open(fsPath(path), 'r');
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
  const file = createReadStream(fsPath(path));
  if (kind === 'tar') return file;
  if (kind === 'gzip') {
    return pipeTo(file, createGunzip());
  }
  // Node has no bzip2/xz/zstd decoder; the host's tools are the well-kept implementations.
  const tool = { bzip2: 'bzip2', xz: 'xz', zstd: 'zstd' }[kind];
  const out = new PassThrough();
  const child = spawn(tool, ['-dc'], { stdio: ['pipe', 'pipe', 'ignore'] });
  child.on('error', () =>
    out.destroy(
      new ContextError('OCIBAKE_CONTEXT', `ADD ${path}: ${kind} archives need the "${tool}" command`, {
        hint: `install ${tool}, or recompress the archive with gzip`,
      }),
    ),
  );
  child.on('close', (code) => {
    if (code !== 0 && code !== null) out.destroy(new Error(`${tool} -d exited with status ${code}`));
  });
  child.stdin.on('error', () => {});
  file.on('error', (err) => out.destroy(err));
  file.pipe(child.stdin);
  child.stdout.pipe(out);
  return out;
}

/**
 * `readArchive` reads a local archive (tar, gzip, bzip2, xz, zstd) for `ADD` and returns the
 * entries it creates under `destDir`, with BuildKit's extraction rules (see `ArchiveTree`).
 * Nothing is created on the host from the archive's names: member bytes are spooled into fresh
 * files of `spoolDir` (a directory the caller created and removes), named by position. Owners
 * and modes come from the headers. Entries BuildKit refuses (paths or symlinks leaving the
 * extraction root, device nodes, hard links to nothing) are a `ContextError` naming the member.
 */
export async function readArchive(path: string, kind: ArchiveKind, destDir: string, spoolDir: string, label = path): Promise<ContextEntry[]> {
  const tree = new ArchiveTree();
  let spooled = 0;
  const refuse = (h: TarHeader, why: string): ContextError =>
    new ContextError('OCIBAKE_CONTEXT', `ADD ${label}: archive member ${JSON.stringify(h.name)}: ${why}`, {
      hint: 'BuildKit refuses such archives too; rebuild the archive without it',
    });
  const member = async (h: TarHeader, body: AsyncIterable<Buffer>): Promise<void> => {
    const name = cleanRelative(h.name);
    if (name === undefined) throw refuse(h, 'the path leaves the extraction root');
    if (name === '') return;
    const owner = { uid: h.uid, gid: h.gid };
    const mode = h.mode & 0o7777;
    const at = async (followLeaf: boolean): Promise<string> => {
      try {
        return await tree.resolve(name, followLeaf);
      } catch (err) {
        throw err instanceof ArchiveTreeError ? refuse(h, err.message) : err;
      }
    };
    const put = (rel: string, node: Parameters<ArchiveTree['put']>[1]): void => {
      try {
        tree.put(rel, node);
      } catch (err) {
        throw err instanceof ArchiveTreeError ? refuse(h, err.message) : err;
      }
    };
    switch (h.type) {
      case 'directory': {
        const rel = await at(true);
        if (rel !== '') put(rel, { type: 'dir', mode, ...owner });
        return;
      }
      case 'file':
      case 'contiguous-file': {
        const rel = await at(false);
        const spool = join(spoolDir, String(spooled++));
        // 'wx' (O_CREAT|O_EXCL) in a directory only we write to: the name is ours, never followed.
        await pipeline(Readable.from(body), createWriteStream(spool, { flags: 'wx', mode: 0o600 }));
        put(rel, { type: 'file', mode, ...owner, size: h.size, spool });
        return;
      }
      case 'symlink': {
        const rel = await at(false);
        put(rel, { type: 'symlink', ...owner, target: h.linkname });
        return;
      }
      case 'link': {
        const rel = await at(false);
        const linkName = cleanRelative(h.linkname);
        if (linkName === undefined) throw refuse(h, `the hard link target ${JSON.stringify(h.linkname)} leaves the extraction root`);
        let target;
        try {
          target = await tree.linkTarget(linkName);
        } catch (err) {
          throw err instanceof ArchiveTreeError ? refuse(h, err.message) : err;
        }
        const t = target.node;
        if (t.type === 'symlink') put(rel, { type: 'symlink', ...owner, target: t.target });
        else put(rel, { type: 'hardlink', mode, ...owner, size: t.size, spool: t.spool, of: t.type === 'hardlink' ? t.of : target.rel });
        return;
      }
      default:
        throw refuse(h, `${h.type === 'unsupported' ? `type ${JSON.stringify(h.typeflag)}` : h.type} entries cannot be added to an image`);
    }
  };
  try {
    // A member's unread content is skipped by the reader before the next header.
    for await (const m of readTar(decompressed(path, kind))) await member(m.header, m.body);
  } catch (err) {
    if (err instanceof ContextError) throw err;
    throw new ContextError('OCIBAKE_CONTEXT', `ADD ${label}: cannot unpack the ${kind} archive: ${(err as Error).message}`, {
      hint: 'check that the file is a complete archive',
    });
  }
  return tree.entries(destDir);
}
