import { writeFile, rename } from 'node:fs/promises';
import { versions } from 'node:process';
import type { Descriptor } from '../oci/descriptor.js';

/** `BuildMetadata` is what `--metadata-file` writes: buildx's keys plus ocibake's per-platform details. */
export interface BuildMetadata {
  'containerimage.descriptor': Descriptor;
  'containerimage.digest': string;
  'image.name'?: string;
  'ocibake.platforms': Record<string, { digest: string; size: number; base?: { name: string; digest: string } }>;
  /**
   * Which compressor wrote the layers. Gzip output differs between zlib builds, so a layer digest
   * reproduces only with the same compressor (diffIDs always reproduce); recording it makes a
   * digest difference explainable.
   */
  'ocibake.compressor': string;
}

/** `compressorIdentity` names the gzip implementation in use, e.g. `node-zlib/1.3.0.1-motley`. */
export function compressorIdentity(): string {
  return `node-zlib/${versions.zlib}`;
}

/** `writeMetadataFile` writes the metadata JSON atomically (temp file + rename), never half a file. */
export async function writeMetadataFile(path: string, meta: BuildMetadata): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, `${JSON.stringify(meta, null, 2)}\n`);
  await rename(tmp, path);
}
