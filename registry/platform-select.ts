import type { Descriptor } from '../lib/oci/descriptor.js';
import type { Index } from '../lib/oci/manifest.js';
import { type Platform, formatPlatform, normalizePlatform, platformMatches } from '../lib/oci/platform.js';
import { OcibakeError } from '../lib/errors.js';

/** `PlatformChoice` is the index entry picked for a requested platform. */
export interface PlatformChoice {
  platform: Platform;
  descriptor: Descriptor;
}

/**
 * `selectPlatform` picks the index entry for a platform (docs/registry-client.md, rule 11): os/architecture/variant
 * equal after normalisation (arm64 ≡ arm64/v8, arm ≡ arm/v7); entries with an `unknown` platform
 * (BuildKit attestations) are skipped. A platform the index lacks is an error listing what it has.
 */
export function selectPlatform(index: Index, wanted: Platform, name: string): PlatformChoice {
  const candidates = index.manifests.filter((d) => d.platform && d.platform.os !== 'unknown' && d.platform.architecture !== 'unknown');
  const hit = candidates.find((d) => platformMatches(wanted, d.platform!));
  if (hit) return { platform: normalizePlatform(hit.platform!), descriptor: hit };
  const have = candidates.map((d) => formatPlatform(normalizePlatform(d.platform!)));
  throw new OcibakeError(
    'OCIBAKE_PLATFORM_NOT_FOUND',
    `${name} has no image for ${formatPlatform(wanted)}; it has ${have.length ? have.join(', ') : 'no platform entries'}`,
    {
      hint: 'pick a base image that supports the platform, or drop it from --platform',
    },
  );
}
