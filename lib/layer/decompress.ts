import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { pipeTo } from '../io/pipe-to.js';
import { unsafeEntry } from './errors.js';

/** `LayerCompression` is how a layer blob is encoded; `auto` sniffs the gzip magic. */
export type LayerCompression = 'gzip' | 'none' | 'auto';

/**
 * `decompress` returns the tar bytes of a layer blob. Zstd layers are not supported yet and are
 * refused with a clear error rather than misread as tar.
 */
export function decompress(body: Readable, compression: LayerCompression = 'auto'): Readable {
  if (compression === 'none') return body;
  if (compression === 'gzip') return gunzip(body);
  return Readable.from(sniff(body));
}

function gunzip(body: Readable): Readable {
  return pipeTo(body, createGunzip());
}

async function* sniff(body: Readable): AsyncGenerator<Buffer> {
  const it = body[Symbol.asyncIterator]();
  let first: Buffer = Buffer.alloc(0);
  while (first.length < 4) {
    const r = await it.next();
    if (r.done) break;
    first = Buffer.concat([first, r.value as Buffer]);
  }
  const rest = (async function* () {
    if (first.length) yield first;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value as Buffer;
    }
  })();
  if (first[0] === 0x28 && first[1] === 0xb5 && first[2] === 0x2f && first[3] === 0xfd) {
    throw unsafeEntry('(layer)', 'zstd-compressed layers are not supported yet');
  }
  if (first[0] === 0x1f && first[1] === 0x8b) yield* gunzip(Readable.from(rest)) as AsyncIterable<Buffer>;
  else yield* rest;
}
