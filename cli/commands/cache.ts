import { formatBytes } from '../render/format.js';
import { pruneCache } from '../../lib/index.js';
import { defineCommand } from '../command.js';
import { parseSize, parseUntil } from '../options/prune-flags.js';

const pruneCommand = defineCommand({
  command: 'prune',
  describe: 'remove local cache entries no recent build used (blobs, snapshots, step results)',
  builder: (y) =>
    y
      .option('keep-storage', { type: 'string', describe: 'keep the most recently used entries up to this size, e.g. 10GB' })
      .option('filter', { type: 'string', describe: 'until=DURATION: keep what was used within it, e.g. until=24h' })
      .option('all', { type: 'boolean', default: false, describe: 'remove everything, cache mounts and tool caches included' })
      .option('dry-run', { type: 'boolean', default: false, describe: 'say what would be removed, remove nothing' })
      .option('cache-dir', { type: 'string', describe: 'cache directory (default: $OCIBAKE_CACHE or ~/.cache/ocibake)' })
      .example('$0 cache prune --keep-storage 20GB --filter until=168h', 'what CI runners with a persistent cache run nightly'),
  handler: async (a) => {
    const r = await pruneCache({
      cacheDir: a['cache-dir'],
      keepStorage: a['keep-storage'] === undefined ? undefined : parseSize(a['keep-storage']),
      untilMs: a.filter === undefined ? undefined : parseUntil(a.filter),
      all: a.all,
      dryRun: a['dry-run'],
    });
    const x = r.removed;
    process.stdout.write(
      `${a['dry-run'] ? 'would remove' : 'removed'} ${x.steps} step result(s), ${x.bases} base record(s), ${x.blobs} blob(s), ${x.snapshots} snapshot(s), ${x.other} other: ${formatBytes(x.bytes)} from ${r.dir}; kept ${r.kept.steps} step result(s), ${formatBytes(r.kept.bytes)}\n`,
    );
  },
});

/** `cacheCommand` is `ocibake cache prune`: the local cache only grows until it is pruned. */
export const cacheCommand = defineCommand({
  command: 'cache',
  describe: 'manage the local build cache',
  builder: (y) => y.command(pruneCommand).demandCommand(1),
  handler: async () => {},
});
