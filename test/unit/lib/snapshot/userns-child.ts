// Run by unpack.test.ts under `unshare --user --map-root-user --mount`: unpacks layer blobs in
// `userns` mode inside the namespace (as the executor must), mounts them with `userxattr`, and
// prints {metas, listing, xattrs, opaque} as JSON. Usage: node userns-child.js DIR BLOB...
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { overlayMountOptions } from '../../../../lib/snapshot/mode.js';
import { FIND_LISTING, GETFATTR, snapshotDir } from './overlay-harness.js';

const [dir, ...blobs] = process.argv.slice(2) as [string, ...string[]];
const metas = [];
const layers: string[] = [];
for (const [i, blob] of blobs.entries()) {
  const d = join(dir, `layer${i}`);
  metas.push(await snapshotDir(d, readFileSync(blob), { mode: 'userns', unmappedOwner: 'keep' }));
  layers.push(join(d, 'fs'));
}
const sh = (script: string): string => execFileSync('sh', ['-ec', script], { encoding: 'utf8', env: { ...process.env, M: join(dir, 'merged') } });
sh('mkdir -p "$M"');
const opaque = sh(`getfattr -h -n user.overlay.opaque --only-values "${join(layers.at(-1)!, 'opt')}" || true`);
execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', overlayMountOptions('userns', layers), join(dir, 'merged')]);
const listing = sh(FIND_LISTING);
const xattrs = sh(GETFATTR('bin/ping'));
process.stdout.write(JSON.stringify({ metas, listing, xattrs, opaque }));
