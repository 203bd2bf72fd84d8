import { OcibakeError } from '../errors.js';
import { REF_NAME_ANNOTATION, OciLayout } from '../store/oci-layout.js';
import type { ProgressSink } from '../progress.js';
import type { RegistryClient } from '../../registry/index.js';
import { type Published, publishToRegistry } from '../output/registry.js';

/**
 * `pushLayout` pushes an image from an OCI layout (`DIR` or `DIR:tag`) to a reference, index and
 * all. Without a tag the layout must hold exactly one image.
 *
 *   await pushLayout(client, 'out:1.0', 'ghcr.io/org/app:1.0');
 */
export async function pushLayout(client: RegistryClient, layoutArg: string, ref: string, o: { progress?: ProgressSink | undefined; signal?: AbortSignal | undefined; concurrency?: number | undefined } = {}): Promise<Published> {
  const m = /^(.*?)(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?$/.exec(layoutArg);
  const dir = m?.[1] || layoutArg;
  const tag = m?.[2];
  const layout = await OciLayout.open(dir, { create: false });
  let root;
  if (tag !== undefined) root = await layout.resolve(tag);
  else {
    const { manifests } = await layout.index();
    if (manifests.length !== 1) {
      const names = manifests.map((d) => d.annotations?.[REF_NAME_ANNOTATION] ?? d.digest);
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `${dir} holds ${manifests.length} images; say which one with ${dir}:TAG`, {
        hint: names.length ? `tags in the layout: ${names.join(', ')}` : 'the layout is empty',
      });
    }
    root = manifests[0]!;
  }
  const desc = { mediaType: root.mediaType, digest: root.digest, size: root.size };
  const [published] = await publishToRegistry(client, { root: desc, store: layout }, [ref], o);
  return published!;
}
