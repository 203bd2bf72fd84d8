import { OciLayout } from '../store/oci-layout.js';
import { parseLayoutRef } from '../store/layout-ref.js';
import type { ProgressSink } from '../progress.js';
import type { RegistryClient } from '../../registry/index.js';
import { layoutRoot } from '../bases/resolver.js';
import type { Published } from '../output/publisher.js';
import { publishToRegistry } from '../output/registry-publisher.js';

/**
 * `pushLayout` pushes an image from an OCI layout (`DIR`, `DIR:tag` or `DIR@sha256:…`) to a
 * reference, index and all. A bare `DIR` must hold exactly one image.
 *
 *   await pushLayout(client, 'out:1.0', 'ghcr.io/org/app:1.0');
 */
export async function pushLayout(
  client: RegistryClient,
  layoutArg: string,
  ref: string,
  o: { progress?: ProgressSink | undefined; signal?: AbortSignal | undefined; concurrency?: number | undefined } = {},
): Promise<Published> {
  const spec = parseLayoutRef(layoutArg);
  const layout = await OciLayout.open(spec.dir, { create: false });
  const root = await layoutRoot(layout, spec, spec.dir);
  const desc = { mediaType: root.mediaType, digest: root.digest, size: root.size };
  const [published] = await publishToRegistry(client, { root: desc, store: layout }, [ref], o);
  return published!;
}
