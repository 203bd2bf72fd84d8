import type { Readable } from 'node:stream';
import { decompress, type LayerCompression } from './decompress.js';
import { UnsafeArchiveError, unsafeEntry } from './errors.js';
import { readTar, TarFormatError, type TarMember } from './tar-reader.js';

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
