import { buildImage, type AppendedLayer } from '../image/build-image.js';
import type { Image } from '../image/types.js';
import type { MediaFormat } from '../oci/media-types.js';
import type { HistoryEntry } from '../oci/manifest.js';
import type { Platform } from '../oci/platform.js';
import type { ConfigState } from './config-steps.js';

/** `HistoryItem` is one step of a stage as the image records it: a layer with its history, or a history entry alone. */
export type HistoryItem = { kind: 'empty'; history: HistoryEntry } | { kind: 'layer'; layer: AppendedLayer };

/**
 * `stackImage` builds a stage's image: the base (an image, the parent stage's image, or scratch),
 * then each step in order, layers with their history and config-only steps as empty history
 * entries where Docker puts them, then the stage's final config.
 */
export function stackImage(
  base: Image | undefined,
  platform: Platform,
  items: readonly HistoryItem[],
  state: ConfigState,
  o: { created: number; format: MediaFormat },
): Image {
  let image = base;
  let pending: HistoryEntry[] = [];
  for (const item of items) {
    if (item.kind === 'empty') {
      pending.push(item.history);
      continue;
    }
    image = buildImage({ base: image, platform, layers: [item.layer], emptyHistory: pending, created: o.created, format: o.format });
    pending = [];
  }
  return buildImage({ base: image, platform, emptyHistory: pending, replaceConfig: state.config, author: state.author, created: o.created, format: o.format });
}
