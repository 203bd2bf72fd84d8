import { parsePlatformList, pull, OcibakeError } from '../../lib/index.js';
import { parseOutputSpec } from '../options/build-flags.js';
import { clientFrom, withRegistryFlags } from '../registry-flags.js';
import { defineCommand } from '../command.js';
import { makeRenderer, progressOption } from '../render/select.js';

/** `pullCommand` is `ocibake pull REF --output type=oci,dest=DIR`: prefetch an image for air-gapped builds. */
export const pullCommand = defineCommand({
  command: 'pull <ref>',
  describe: 'pull an image (all or some platforms) into an OCI layout directory',
  builder: (y) =>
    withRegistryFlags(
      y
        .positional('ref', { type: 'string', demandOption: true, describe: 'image reference, e.g. alpine:3.20' })
        .option('platform', { type: 'string', describe: 'platforms to keep, comma separated (default: all)' })
        .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'type=oci,dest=DIR' })
        .option('tag', { type: 'string', describe: 'name in the layout (default: the reference tag)' })
        .option('progress', progressOption)
        .example('$0 pull alpine:3.20 --platform linux/amd64,linux/arm64 --output type=oci,dest=./bases', 'two platforms of alpine into ./bases')
        .example('$0 pull localhost:5000/app@sha256:… -o type=oci,dest=app', 'an exact digest, all platforms'),
    ),
  handler: async (a) => {
    const out = parseOutputSpec(a.output);
    if (out.type !== 'oci')
      throw new OcibakeError('OCIBAKE_INVALID_ARGUMENT', `pull writes OCI layouts only, not type=${out.type}`, { hint: 'use --output type=oci,dest=DIR' });
    const client = clientFrom(a);
    const r = makeRenderer(a.progress);
    try {
      const res = await pull(client, a.ref, {
        dest: out.dest,
        platforms: a.platform ? parsePlatformList(a.platform) : undefined,
        tag: a.tag,
        progress: r.sink,
        concurrency: a.concurrency,
      });
      r.stop();
      process.stdout.write(`${res.root.digest}\n`);
    } finally {
      r.stop();
      await client.close();
    }
  },
});
