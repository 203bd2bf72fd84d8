// Run by store.test.ts as a separate process: creates snapshot ID in the store at ROOT by
// unpacking BLOB, printing "building" once the build has started and the snapshot dir at the end.
// Usage: node store-child.js ROOT ID BLOB [slow]
import { createReadStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SnapshotStore } from '../../../../lib/snapshot/store.js';
import { unpackLayerToDiffDir } from '../../../../lib/snapshot/unpack.js';

const [root, id, blob, slow] = process.argv.slice(2) as [string, string, string, string | undefined];
const store = new SnapshotStore(root, 'root');
const snap = await store.create(id, async (fs) => {
  process.stdout.write('building\n');
  const meta = await unpackLayerToDiffDir(createReadStream(blob), fs, { mode: 'root' });
  if (slow) {
    await writeFile(join(fs, 'half-written'), 'x');
    await new Promise((r) => setTimeout(r, 60_000));
  }
  return meta;
});
process.stdout.write(`${snap.dir}\n`);
