import { inspect, parsePlatform } from '../../lib/index.js';
import { clientFrom, withRegistryFlags } from '../registry-flags.js';
import { defineCommand } from '../command.js';

/** `inspectCommand` is `ocibake inspect REF [--raw] [--platform p]`. */
export const inspectCommand = defineCommand({
  command: 'inspect <ref>',
  describe: 'show the manifest or index of an image in a registry',
  builder: (y) =>
    withRegistryFlags(
      y
        .positional('ref', { type: 'string', demandOption: true, describe: 'image reference' })
        .option('raw', { type: 'boolean', default: false, describe: 'print the exact bytes the registry serves' })
        .option('platform', { type: 'string', describe: 'show this platform’s manifest and config' })
        .example('$0 inspect alpine:3.20', 'digest, media type and platforms')
        .example('$0 inspect alpine:3.20 --platform linux/arm64', 'the arm64 manifest and config')
        .example('$0 inspect localhost:5000/app:1.0 --raw | sha256sum', 'the raw index bytes'),
    ),
  handler: async (a) => {
    const client = clientFrom(a);
    try {
      const res = await inspect(client, a.ref, { platform: a.platform ? parsePlatform(a.platform) : undefined });
      if (a.raw) {
        process.stdout.write(Buffer.from(res.platform ? res.platform.raw : res.raw));
        return;
      }
      const summary = {
        name: res.name,
        digest: res.descriptor.digest,
        mediaType: res.descriptor.mediaType,
        size: res.descriptor.size,
        ...(res.index ? { manifests: res.index.manifests } : {}),
        ...(res.manifest ? { manifest: res.manifest } : {}),
        ...(res.platform ? { platform: { descriptor: res.platform.descriptor, manifest: res.platform.manifest, config: res.platform.config } } : {}),
      };
      process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    } finally {
      await client.close();
    }
  },
});
