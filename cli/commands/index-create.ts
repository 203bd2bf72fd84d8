import { createIndex } from '../../lib/index.js';
import { parseKeyValue } from '../options/build-flags.js';
import { clientFrom, withRegistryFlags } from '../registry-flags.js';
import { defineCommand } from '../command.js';
import { repeatable } from '../repeatable.js';
import { makeRenderer, progressOption } from '../render/select.js';

const createCommand = defineCommand({
  command: 'create <sources..>',
  describe: 'merge per-platform images (or indexes) into one index and push it under each -t',
  builder: (y) =>
    withRegistryFlags(
      y
        .positional('sources', { type: 'string', array: true, demandOption: true, describe: 'source images, best by digest: REPO@sha256:…' })
        .option('tag', { alias: 't', ...repeatable, describe: 'reference to push the index to (repeatable)' })
        .option('annotation', { ...repeatable, describe: 'KEY=VALUE index annotation (repeatable)' })
        .option('dry-run', { type: 'boolean', default: false, describe: 'print the index instead of pushing it' })
        .option('progress', progressOption)
        .example(
          '$0 index create -t ghcr.io/org/app:1.0 ghcr.io/org/app@sha256:aaa… ghcr.io/org/app@sha256:bbb…',
          'join images pushed by two CI runners with --push-by-digest',
        ),
    ),
  handler: async (a) => {
    const client = clientFrom(a);
    const r = makeRenderer(a['dry-run'] ? 'quiet' : a.progress);
    try {
      const annotations = Object.fromEntries(a.annotation.map((x) => parseKeyValue('--annotation', x)));
      const res = await createIndex(client, a.tag, a.sources, { annotations, dryRun: a['dry-run'], progress: r.sink });
      r.stop();
      if (a['dry-run']) process.stdout.write(`${JSON.stringify(JSON.parse(Buffer.from(res.bytes).toString()), null, 2)}\n`);
      else {
        process.stderr.write(`index ${res.descriptor.digest} (${res.platforms.join(', ')})\n`);
        for (const p of res.published) process.stdout.write(`${p.refs[0]}\n`);
      }
    } finally {
      r.stop();
      await client.close();
    }
  },
});

/** `indexCommand` is `ocibake index create`: the multi-machine fan-in, like `buildx imagetools create`. */
export const indexCommand = defineCommand({
  command: 'index',
  describe: 'work with image indexes (multi-platform images)',
  builder: (y) => y.command(createCommand).demandCommand(1),
  handler: async () => {},
});
