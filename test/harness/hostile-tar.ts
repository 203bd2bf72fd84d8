// Builds tar archives entry by entry with raw ustar headers, so tests can make the archives an
// attacker would: names with `..` or a leading `/`, symlinks followed by members written "through"
// them, hard links across a symlinked directory. Compressed with gzip (zlib) or the host's bzip2/xz.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { encodeEntryHeaders, padding } from '../../lib/layer/tar-header.js';

/** One raw member: `type` is the ustar typeflag's meaning. */
export type RawMember =
  | { type: 'file'; name: string; body?: string; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; name: string; mode?: number }
  | { type: 'symlink'; name: string; target: string }
  | { type: 'hardlink'; name: string; target: string }
  | { type: 'char'; name: string }
  | { type: 'fifo'; name: string };

const FLAG = { file: '0', hardlink: '1', symlink: '2', char: '3', dir: '5', fifo: '6' } as const;

/** `rawTar` encodes members in order, exactly as given (no cleaning of names). */
export function rawTar(members: RawMember[]): Buffer {
  const parts: Buffer[] = [];
  for (const m of members) {
    const body = m.type === 'file' ? Buffer.from(m.body ?? '') : Buffer.alloc(0);
    const linkname = m.type === 'symlink' || m.type === 'hardlink' ? m.target : '';
    const mode = 'mode' in m && m.mode !== undefined ? m.mode : m.type === 'dir' ? 0o755 : 0o644;
    const uid = m.type === 'file' ? (m.uid ?? 0) : 0;
    const gid = m.type === 'file' ? (m.gid ?? 0) : 0;
    parts.push(
      encodeEntryHeaders({
        name: m.type === 'dir' && !m.name.endsWith('/') ? `${m.name}/` : m.name,
        mode,
        uid,
        gid,
        size: body.length,
        mtime: 1_700_000_000,
        typeflag: FLAG[m.type],
        linkname,
      }),
    );
    parts.push(body, Buffer.alloc(padding(body.length)));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** The compressions ADD recognises that the tests exercise. */
export const COMPRESSIONS = ['tar', 'gzip', 'bzip2', 'xz'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/** `writeArchive` writes members to `path` with a compression and returns the path. */
export function writeArchive(path: string, members: RawMember[], compression: Compression): string {
  const tar = rawTar(members);
  const bytes = compression === 'tar' ? tar : compression === 'gzip' ? gzipSync(tar) : execFileSync(compression, ['-c'], { input: tar, maxBuffer: 1 << 26 });
  writeFileSync(path, bytes);
  return path;
}
