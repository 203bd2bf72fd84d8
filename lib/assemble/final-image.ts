import { buildImage } from '../image/build-image.js';
import type { Image } from '../image/types.js';
import type { MediaFormat } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import type { PlatformImage } from '../output/publisher.js';

/** What the command line adds to every platform's image. */
export interface FinalTouches {
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  format: MediaFormat;
  created: number;
}

/**
 * `finalImage` applies `--label` and `--annotation` to a target stage's image and records its
 * base (`org.opencontainers.image.base.name` / `.base.digest`, OCI only: Docker manifests have no
 * annotations), so rebase tools know what the image was built on.
 */
export function finalImage(
  platform: Platform,
  assembled: { image: Image; base?: { name: string; digest: string } | undefined },
  t: FinalTouches,
): PlatformImage {
  const annotations: Record<string, string> = { ...(t.annotations ?? {}) };
  if (assembled.base && t.format === 'oci') {
    annotations['org.opencontainers.image.base.name'] = assembled.base.name;
    annotations['org.opencontainers.image.base.digest'] = assembled.base.digest;
  }
  const labels = t.labels && Object.keys(t.labels).length ? { Labels: { ...(assembled.image.config.config?.Labels ?? {}), ...t.labels } } : undefined;
  const image = buildImage({
    base: assembled.image,
    annotations: t.format === 'oci' ? annotations : undefined,
    config: labels,
    created: t.created,
    format: t.format,
  });
  return { platform, image, base: assembled.base };
}
