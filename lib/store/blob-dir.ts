import { createReadStream, statSync, unlinkSync } from 'node:fs';
import { writeFileAtomic } from '../io/atomic-write.js';
import { pipeTo } from '../io/pipe-to.js';
import { ownerState } from '../io/process-owner.js';
import { open, readdir, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import type { Opts } from '../oci/content-store.js';
import type { Descriptor } from '../oci/descriptor.js';
import { type Digest, digestHex, HashingStream, isDigest } from '../oci/digest.js';
import { VerifyingStream } from '../oci/verify.js';
import { blobNotFound, corruptBlob, corruptInput, StoreError } from './errors.js';

/** `CorruptBlobReport` is what a `BlobDir` tells its owner when it drops a corrupt blob. */
export type CorruptBlobReporter = (digest: string, path: string, reason: unknown) => void;

/** How a `BlobDir` treats a blob that no longer matches its name. */
export interface BlobDirOptions {
  /**
   * Delete it (ocibake's own cache, which can fetch or rebuild it) or leave it exactly as it is
   * (an OCI layout: the user's data, which ocibake never deletes or rewrites).
   */
  dropCorrupt: boolean;
  onCorrupt?: CorruptBlobReporter | undefined;
  /** Runs once before the first write (a layout sweeps what killed writers left in it). */
  beforeFirstWrite?: (() => Promise<unknown>) | undefined;
}

/**
 * `TempDir` is where a `BlobDir`'s writes put their temp files (on the blobs' filesystem). `own`
 * means it belongs to this process alone (a layout's `.ocibake-tmp-<pid>-<start>`) and `tidy`
 * removes it; a shared one (the cache's `tmp/`) is never removed, only swept of dead writers' files.
 */
export interface TempDir {
  path: string;
  own: boolean;
}

/** A temp directory, or how to choose one when the first write needs it (a read-only use never touches the disk). */
export type TempDirSpec = string | (() => Promise<TempDir>);

/**
 * `BlobDir` is a `blobs/sha256/<hex>` tree on disk, shared by the cache and OCI layouts.
 * Writes are verified, land in a temp file in `tmpDir` (same filesystem), are fsynced and then
 * renamed into place, so a process killed at any moment leaves either no blob or a complete one.
 * Reads verify too; a blob that no longer matches its name is deleted and reported.
 */
export class BlobDir {
  readonly root: string;
  readonly #tmpSpec: TempDirSpec;
  #tmp: Promise<TempDir> | undefined;
  readonly #o: BlobDirOptions;
  #cleaned: Promise<unknown> | undefined;

  constructor(root: string, tmpDir: TempDirSpec, o: BlobDirOptions) {
    this.root = root;
    this.#tmpSpec = tmpDir;
    this.#o = o;
  }

  /** `path` is where a blob lives (it may not exist). */
  path(digest: Digest): string {
    return join(this.root, 'blobs', 'sha256', digestHex(digest));
  }

  async exists(desc: Descriptor): Promise<boolean> {
    try {
      const st = await stat(this.path(desc.digest));
      return st.isFile() && st.size === desc.size;
    } catch {
      return false;
    }
  }

  async fetch(desc: Descriptor, o?: Opts): Promise<Readable> {
    const p = this.path(desc.digest);
    let fh;
    try {
      fh = await open(p, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw blobNotFound(desc.digest, this.root);
      throw new StoreError('OCIBAKE_STORE', `opening blob ${desc.digest} in ${this.root}: ${(err as Error).message}`, { cause: err });
    }
    // The inode read is the one dropped when corrupt: another process may have renamed a good
    // copy over the path since (two builds on one cache), and that copy must stay.
    const ino = this.#o.dropCorrupt ? (await fh.stat().catch(() => undefined))?.ino : undefined;
    const source = createReadStream('', { fd: fh, autoClose: true });
    const checked = new CheckedBlobStream(desc, p, this.#o.dropCorrupt, (reason) => this.#dropCorrupt(desc.digest, p, ino, reason));
    if (o?.onProgress) source.on('data', (c: string | Buffer) => o.onProgress!(c.length));
    return pipeTo(source, checked);
  }

  async push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    if (await this.exists(desc)) {
      if (body instanceof Readable) body.destroy();
      return;
    }
    const source = body instanceof Uint8Array ? Readable.from([Buffer.from(body)]) : body;
    await this.#write(source, new VerifyingStream(desc), () => desc.digest, o);
  }

  /** `ingest` stores content of unknown digest and returns its descriptor. */
  async ingest(mediaType: string, body: Readable, o?: Opts): Promise<Descriptor> {
    const hasher = new HashingStream();
    await this.#write(body, hasher, () => hasher.digest, o);
    return { mediaType, digest: hasher.digest, size: hasher.size };
  }

  /** `list` returns the digests of every complete blob. */
  async list(): Promise<Digest[]> {
    let names: string[];
    try {
      names = await readdir(join(this.root, 'blobs', 'sha256'));
    } catch {
      return [];
    }
    return names
      .map((n) => `sha256:${n}`)
      .filter(isDigest)
      .sort();
  }

  /** `delete` removes a blob; a missing blob is not an error. */
  async delete(digest: Digest): Promise<void> {
    await unlink(this.path(digest)).catch(() => {});
  }

  /**
   * `removeStaleTemp` deletes temp files left by writers that were killed: their pid is gone and
   * the file has not changed for a minute (the age check protects a writer in another pid
   * namespace sharing the cache). Runs once per process before the first write.
   */
  async removeStaleTemp(): Promise<number> {
    const tmpDir = (await this.tempDir()).path;
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      const pid = Number(/^ingest-(\d+)-/.exec(name)?.[1]);
      if (!pid || ownerState({ pid, start: '0' }) !== 'dead') continue;
      const path = join(tmpDir, name);
      const st = await stat(path).catch(() => undefined);
      if (!st || Date.now() - st.mtimeMs < STALE_MS) continue;
      await unlink(path).then(
        () => removed++,
        () => {},
      );
    }
    return removed;
  }

  async #write(source: Readable, check: Transform, name: () => Digest, o?: Opts): Promise<void> {
    await this.prepareWrite();
    await writeFileAtomic(() => this.path(name()), source, {
      tmpDir: (await this.tempDir()).path,
      tmpPrefix: 'ingest-',
      through: o?.onProgress ? [check, progressTap(o.onProgress)] : [check],
      signal: o?.signal,
    });
  }

  /** `tempDir` is where writes put their temp files, chosen when first asked. */
  tempDir(): Promise<TempDir> {
    const spec = this.#tmpSpec;
    this.#tmp ??= typeof spec === 'string' ? Promise.resolve({ path: spec, own: false }) : spec();
    return this.#tmp;
  }

  /** `prepareWrite` runs the once-per-process cleanup of what killed writers left (awaited by every write). */
  prepareWrite(): Promise<unknown> {
    this.#cleaned ??= Promise.all([this.removeStaleTemp(), this.#o.beforeFirstWrite?.()]).catch(() => undefined);
    return this.#cleaned;
  }

  /**
   * `tidy` removes this process's own temp directory once its writes are over (an output is
   * complete). A shared temp directory is left: another process may be writing into it.
   */
  async tidy(): Promise<void> {
    const tmp = this.#tmp && (await this.#tmp.catch(() => undefined));
    if (tmp?.own) await rm(tmp.path, { recursive: true, force: true }).catch(() => {});
  }

  #dropCorrupt(digest: Digest, path: string, ino: number | undefined, reason: unknown): void {
    if (!this.#o.dropCorrupt) return;
    try {
      // Synchronous, so the blob is gone before the reader sees the error (an error path: microseconds).
      const st = statSync(path);
      if (ino === undefined || st.ino === ino) unlinkSync(path);
    } catch {
      // Already gone.
    }
    this.#o.onCorrupt?.(digest, path, reason);
  }
}

/** Verification on read that fails with `CorruptBlobError` on mismatch (and drops the blob when allowed). */
class CheckedBlobStream extends VerifyingStream {
  readonly #path: string;
  readonly #digest: Digest;
  readonly #dropped: boolean;
  readonly #drop: (reason: unknown) => void;

  constructor(desc: Descriptor, path: string, dropped: boolean, drop: (reason: unknown) => void) {
    super(desc);
    this.#path = path;
    this.#digest = desc.digest;
    this.#dropped = dropped;
    this.#drop = drop;
  }

  override _transform(chunk: Buffer, enc: BufferEncoding, cb: TransformCallback): void {
    super._transform(chunk, enc, (err, data) => (err ? cb(this.#corrupt(err)) : cb(null, data)));
  }

  override _flush(cb: TransformCallback): void {
    super._flush((err) => (err ? cb(this.#corrupt(err)) : cb()));
  }

  #corrupt(reason: unknown): Error {
    this.#drop(reason);
    return this.#dropped ? corruptBlob(this.#digest, this.#path, reason) : corruptInput(this.#digest, this.#path, reason);
  }
}

function progressTap(onProgress: (n: number) => void): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      onProgress(chunk.length);
      cb(null, chunk);
    },
  });
}

const STALE_MS = 60_000;
