import { pushLayout } from '../../lib/index.js';
import { clientFrom, withRegistryFlags } from '../registry-flags.js';
import { defineCommand } from '../command.js';
import { makeRenderer, progressOption } from '../render/select.js';

/** `pushCommand` is `ocibake push LAYOUT_DIR[:tag] REF`: push an OCI layout's image, index and all. */
export const pushCommand = defineCommand({
  command: 'push <layout> <ref>',
  describe: 'push an image from an OCI layout directory to a registry',
  builder: (y) =>
    withRegistryFlags(
      y
        .positional('layout', { type: 'string', demandOption: true, describe: 'LAYOUT_DIR or LAYOUT_DIR:tag' })
        .positional('ref', { type: 'string', demandOption: true, describe: 'destination, e.g. ghcr.io/org/app:1.0' })
        .option('progress', progressOption)
        .example('$0 push ./out:1.0 ghcr.io/org/app:1.0', 'push the layout entry tagged 1.0')
        .example('$0 push ./out localhost:5000/app:dev', 'push the only image in ./out'),
    ),
  handler: async (a) => {
    const client = clientFrom(a);
    const r = makeRenderer(a.progress);
    try {
      const res = await pushLayout(client, a.layout, a.ref, { progress: r.sink, concurrency: a.concurrency });
      r.stop();
      process.stdout.write(`${res.refs[0]}\n`);
    } finally {
      r.stop();
      await client.close();
    }
  },
});
