import type { LayerEntry } from '../layer/entry.js';
import { writeLayer } from '../layer/write-layer.js';
import type { ChainView } from '../snapshot/chain-view.js';
import type { StageContext } from './stage-context.js';
import type { StepRecord } from './step-records.js';

/**
 * `workdirStep` is what BuildKit's WORKDIR does to the filesystem: create the directory (and its
 * missing parents) when it does not exist, owned by the stage's USER, as a layer of its own. An
 * existing directory changes nothing (no layer; an empty history entry).
 */
export async function workdirStep(path: string, owner: { uid: number; gid: number }, view: ChainView, ctx: StageContext): Promise<StepRecord> {
  const resolved = await view.resolve(path, true);
  const parts = resolved.split('/').filter(Boolean);
  const entries: LayerEntry[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const p = `/${parts.slice(0, i).join('/')}`;
    const e = await view.lstat(p);
    if (e?.stats.isDirectory()) continue;
    entries.push({ path: p, type: 'dir', mode: 0o755, uid: owner.uid, gid: owner.gid });
  }
  if (entries.length === 0) return { layer: null };
  const s = ctx.settings;
  const w = await writeLayer(entries, { level: s.level, sourceDateEpoch: s.sourceDateEpoch, mediaTypes: s.format }, ctx.cache);
  return { layer: { descriptor: w.descriptor, diffId: w.diffId } };
}
