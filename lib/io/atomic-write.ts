import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What `writeFileAtomic` accepts as content: bytes, text, or a stream read to its end. */
export type AtomicContent = Uint8Array | string | Readable | AsyncIterable<Uint8Array>;

/** Options for `writeFileAtomic`. */
export interface AtomicWriteOptions {
  mode?: number | undefined;
  /** Where the temp file goes (same filesystem as the target); default: the target's directory. */
  tmpDir?: string | undefined;
  /** Temp file name prefix, so a sweeper can tell whose temp files are stale (`ingest-<pid>-`). */
  tmpPrefix?: string | undefined;
  /** Stream stages the content passes through before it is written (verification, progress). */
  through?: Transform[] | undefined;
  signal?: AbortSignal | undefined;
}

/**
 * `writeFileAtomic` replaces `path` so that readers see the old content or the new, never a mix,
 * and a crash at any point leaves no partial file under the final name: the content goes to a
 * temp file that is fsynced, renamed over the target, and the directory is fsynced. `path` may be
 * a function, called once the content is written (a blob is named by the digest of its bytes).
 *
 *   await writeFileAtomic(join(dir, 'index.json'), canonicalJson(index));
 */
export async function writeFileAtomic(path: string | (() => string), content: AtomicContent, o: AtomicWriteOptions = {}): Promise<string> {
  const known = typeof path === 'string' ? path : undefined;
  const tmpDir = o.tmpDir ?? dirname(known ?? '.');
  await mkdir(tmpDir, { recursive: true });
  const tmp = join(tmpDir, `${o.tmpPrefix ?? `.${known ? basename(known) : 'tmp'}.`}${process.pid}-${randomBytes(8).toString('hex')}`);
  let renamed = false;
  try {
    const source = typeof content === 'string' || content instanceof Uint8Array ? Readable.from([Buffer.from(content)]) : content;
    // `flush` fsyncs before close, so the rename below never publishes unsynced data.
    const sink = createWriteStream(tmp, { flags: 'wx', mode: o.mode ?? 0o644, flush: true });
    const stages: NodeJS.ReadableStream[] | (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [source as NodeJS.ReadableStream, ...(o.through ?? [])];
    await pipeline([...stages, sink] as unknown as [NodeJS.ReadableStream, NodeJS.WritableStream], o.signal ? { signal: o.signal } : {});
    const final = known ?? (path as () => string)();
    await mkdir(dirname(final), { recursive: true });
    await rename(tmp, final);
    renamed = true;
    await syncDir(dirname(final));
    return final;
  } finally {
    if (!renamed) await unlink(tmp).catch(() => {});
  }
}

/** The rename is durable only once the directory entry is on disk too. */
async function syncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r');
  try {
    await dh.sync();
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic.
  } finally {
    await dh.close();
  }
}
