// Snapshot work that must happen inside the build's user namespace (rootless builds): unpacking a
// layer so that its owners land on the mapped ids, diffing a RUN's upper dir whose files may be
// readable only by the ids that wrote them, and removing trees only those ids can remove. The
// parent starts it as `unshare --user … -- node ns-worker.js OP JSON` and talks over stdio; fd 3
// carries the result (JSON), stdout carries a tar stream where the op produces one.
import { createWriteStream, rmSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { tarStream } from '../layer/tar-writer.js';
import { ChainView } from '../snapshot/chain-view.js';
import { diffUpperDir } from '../snapshot/diff.js';
import { SnapshotStore } from '../snapshot/store.js';
import { unpackLayerToDiffDir } from '../snapshot/unpack.js';
import type { LayerCompression } from '../layer/decompress.js';

/** The operations the worker performs, with their arguments. */
export type WorkerOp =
  | { op: 'unpack'; storeRoot: string; id: string; compression: LayerCompression }
  | { op: 'diff'; upper: string; lowers: string[]; sourceDateEpoch: number; exclude: string[]; mountParents: string[]; tar: boolean }
  | { op: 'remove'; paths: string[] }
  | { op: 'sweep'; storeRoot: string };

async function main(): Promise<void> {
  const req = JSON.parse(process.argv[2] ?? '{}') as WorkerOp;
  const result = createWriteStream('', { fd: 3 });
  const reply = (v: unknown): Promise<void> => new Promise((resolve) => result.end(`${JSON.stringify(v)}\n`, () => resolve()));
  switch (req.op) {
    case 'unpack': {
      const store = new SnapshotStore(req.storeRoot, 'userns');
      const snap = await store.create(req.id, (fs) =>
        unpackLayerToDiffDir(process.stdin, fs, { mode: 'userns', compression: req.compression, unmappedOwner: 'keep' }),
      );
      await reply({ id: snap.id, dir: snap.dir });
      return;
    }
    case 'diff': {
      const lower = await ChainView.open(req.lowers);
      const diff = await diffUpperDir(req.upper, {
        mode: 'userns',
        lower,
        sourceDateEpoch: req.sourceDateEpoch,
        exclude: new Set(req.exclude),
        mountParents: new Set(req.mountParents),
      });
      await reply({ meta: diff.meta, empty: diff.entries.length === 0, skipped: diff.skipped });
      if (diff.entries.length === 0 || !req.tar) return;
      for await (const chunk of tarStream(diff.entries, { sourceDateEpoch: req.sourceDateEpoch })) {
        if (!process.stdout.write(chunk)) await new Promise<void>((resolve) => process.stdout.once('drain', () => resolve()));
      }
      await new Promise<void>((resolve) => process.stdout.end(() => resolve()));
      return;
    }
    case 'remove':
      for (const p of req.paths) rmSync(p, { recursive: true, force: true });
      await reply({ ok: true });
      return;
    case 'sweep':
      await reply({ removed: await new SnapshotStore(req.storeRoot, 'userns').sweep() });
      return;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
    process.exit(1);
  });
}
