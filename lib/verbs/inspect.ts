import type { Descriptor } from '../oci/descriptor.js';
import { type ImageConfig, type Index, type Manifest, parseManifestOrIndex } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import { type RegistryClient, formatReference, parseReference } from '../../registry/index.js';
import { resolveRegistryBase } from '../bases/registry-base.js';

/** `InspectResult` describes what a reference points at. */
export interface InspectResult {
  name: string;
  descriptor: Descriptor;
  /** The exact bytes the registry served (what `--raw` prints). */
  raw: Uint8Array;
  index?: Index;
  manifest?: Manifest;
  /** With a platform: that platform's manifest and config. */
  platform?: { descriptor: Descriptor; manifest: Manifest; config: ImageConfig; raw: Uint8Array };
}

/**
 * `inspect` fetches a reference's manifest or index (verified) and, when a platform is given,
 * that platform's manifest and config.
 *
 *   const r = await inspect(client, 'alpine:3.20', { platform: parsePlatform('linux/arm64') });
 */
export async function inspect(
  client: RegistryClient,
  ref: string,
  o: { platform?: Platform | undefined; signal?: AbortSignal | undefined } = {},
): Promise<InspectResult> {
  const reference = parseReference(ref);
  const top = await client.getManifest(reference, o.signal);
  const parsed = parseManifestOrIndex(top.bytes, top.descriptor.mediaType);
  const result: InspectResult = { name: formatReference(reference), descriptor: top.descriptor, raw: top.bytes };
  if (parsed.kind === 'index') result.index = parsed.index;
  else result.manifest = parsed.manifest;
  if (o.platform) {
    const base = await resolveRegistryBase(client, { ...reference, digest: top.descriptor.digest }, o.platform, o.signal);
    result.platform = { descriptor: base.image.descriptor, manifest: base.image.manifest, config: base.image.config, raw: base.image.bytes.manifest };
  }
  return result;
}
