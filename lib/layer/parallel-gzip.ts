import { availableParallelism } from 'node:os';
import { crc32 } from 'node:zlib';
import { DeflatePool } from './deflate-pool.js';

/** Options for `parallelGzip`. */
export interface GzipOptions {
  /** zlib level 1..9 (default 6, the level `pigz`/`gzip` default to). */
  level?: number | undefined;
  /** Worker threads (default: the number of CPUs). The output bytes do not depend on it. */
  threads?: number | undefined;
  /** Uncompressed bytes per block (default 128 KiB, pigz's default). Changes the output. */
  blockSize?: number | undefined;
}

const WINDOW = 32 * 1024;
// RFC 1952 header: magic, deflate, no flags, mtime 0 (reproducible), no extra flags, OS unknown (255).
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
// A final, empty fixed-Huffman block: closes the deflate stream after the last sync-flushed block.
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);

/**
 * `parallelGzip` compresses a byte stream into ONE standard gzip member, pigz-style: the input
 * is cut into fixed blocks, each block is raw-deflated on a worker thread with the previous
 * 32 KiB as its preset dictionary and ends on a byte boundary (sync flush), and the blocks are
 * emitted in order. Each block's bytes depend only on its data, its dictionary and the level,
 * so the stream is identical for any number of threads. CRC-32 and length are computed here.
 *
 *   for await (const gz of parallelGzip(tarStream(entries), { level: 6 })) out.write(gz);
 */
export async function* parallelGzip(source: AsyncIterable<Buffer>, options: GzipOptions = {}): AsyncGenerator<Buffer> {
  const level = options.level ?? 6;
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const blockSize = Math.max(WINDOW, options.blockSize ?? 128 * 1024);
  // Enough blocks in flight to keep every worker busy, few enough to bound memory (~2 MB per thread).
  const maxInFlight = threads * 4;
  const pool = new DeflatePool(threads);
  const inFlight: Promise<Buffer>[] = [];
  let crc = 0;
  let length = 0;
  let dictionary: Buffer | undefined;
  let parts: Buffer[] = [];
  let partsLength = 0;

  const submit = (block: Buffer): void => {
    crc = crc32(block, crc);
    length += block.length;
    const next = Buffer.from(block.subarray(Math.max(0, block.length - WINDOW)));
    const job = pool.deflate(block, dictionary, level);
    job.catch(() => {});
    inFlight.push(job);
    dictionary = next;
  };

  try {
    yield HEADER;
    for await (const chunk of source) {
      let data = chunk;
      while (partsLength + data.length >= blockSize) {
        const take = blockSize - partsLength;
        parts.push(data.subarray(0, take));
        data = data.subarray(take);
        submit(Buffer.concat(parts, blockSize));
        parts = [];
        partsLength = 0;
        while (inFlight.length >= maxInFlight) yield await inFlight.shift()!;
      }
      if (data.length) {
        // Copy: the producer may reuse its buffer once we return to it.
        parts.push(Buffer.from(data));
        partsLength += data.length;
      }
    }
    if (partsLength > 0) submit(Buffer.concat(parts, partsLength));
    while (inFlight.length) yield await inFlight.shift()!;
    const trailer = Buffer.alloc(8);
    trailer.writeUInt32LE(crc >>> 0, 0);
    trailer.writeUInt32LE(length % 2 ** 32, 4);
    yield Buffer.concat([FINAL_BLOCK, trailer]);
  } finally {
    await pool.close();
  }
}
