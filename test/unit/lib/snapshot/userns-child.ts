// Run by unpack.test.ts under `unshare --user --map-root-user --mount`: unpacks layer blobs in
// `userns` mode inside the namespace (as the executor must), mounts them with `userxattr`, and
// prints {metas, listing, xattrs, opaque} as JSON. With RUN set in the environment, the mount is
// read-write, RUN runs in it, and the upper dir's diff (taken inside the namespace, as the
// executor must) is printed too. Usage: node userns-child.js DIR BLOB...
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChainView } from '../../../../lib/snapshot/chain-view.js';
import { diffUpperDir } from '../../../../lib/snapshot/diff.js';
import type { SnapshotMeta } from '../../../../lib/snapshot/meta.js';
import { overlayMountOptions } from '../../../../lib/snapshot/mode.js';
import { FIND_LISTING, GETFATTR, snapshotDir } from './overlay-harness.js';

const [dir, ...blobs] = process.argv.slice(2) as [string, ...string[]];
const metas: SnapshotMeta[] = [];
const layers: string[] = [];
for (const [i, blob] of blobs.entries()) {
  const d = join(dir, `layer${i}`);
  metas.push(await snapshotDir(d, readFileSync(blob), { mode: 'userns', unmappedOwner: 'keep' }));
  layers.push(join(d, 'fs'));
}
const sh = (script: string): string => execFileSync('sh', ['-ec', script], { encoding: 'utf8', env: { ...process.env, M: join(dir, 'merged') } });
sh('mkdir -p "$M"');
const opaque = sh(`getfattr -h -n user.overlay.opaque --only-values "${join(layers.at(-1)!, 'opt')}" || true`);
const run = process.env['RUN'];
const rw = run ? { upper: join(dir, 'upper'), work: join(dir, 'work') } : undefined;
if (rw) sh(`mkdir -p "${rw.upper}" "${rw.work}"`);
execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', overlayMountOptions('userns', layers, rw), join(dir, 'merged')]);
if (run) sh(run);
const listing = sh(FIND_LISTING);
const xattrs = sh(GETFATTR('bin/ping'));
let diff: unknown;
if (rw) {
  execFileSync('umount', [join(dir, 'merged')]);
  const lower = new ChainView(layers.map((fs, i) => ({ fs, meta: metas[i]! })));
  const d = await diffUpperDir(rw.upper, { mode: 'userns', lower, sourceDateEpoch: 1_700_000_000 });
  diff = {
    entries: d.entries.map((e) => `${e.type} ${e.path} ${Object.keys(e.pax ?? {}).join(',')}`),
    meta: d.meta,
    upperXattrs: sh(`getfattr -R -d -m - --absolute-names "${rw.upper}" | grep overlay || true`),
  };
}
process.stdout.write(JSON.stringify({ metas, listing, xattrs, opaque, diff }));
