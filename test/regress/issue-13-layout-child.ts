// Child process for issue-13-concurrent-layout.test.ts (not a test file itself):
//   node issue-13-layout-child.js write <layoutDir> <scratchDir|-> <bytes> <tag>
// writes a generated blob into the layout slowly (1 MiB every 20 ms, so it can be killed or
// raced), tags it, tidies, and prints `started <digest>` then `done`.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { OciLayout } from '../../lib/store/oci-layout.js';
import { parseDigest } from '../../lib/oci/digest.js';

const MiB = 1 << 20;

function generated(bytes: number, seed: number, delayMs: number): Readable {
  const block = createHash('sha256')
    .update(String(seed))
    .digest()
    .toString('hex')
    .repeat(MiB / 64);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, MiB);
      left -= n;
      const chunk = Buffer.from(block.slice(0, n));
      if (delayMs) setTimeout(() => this.push(chunk), delayMs);
      else this.push(chunk);
    },
  });
}

async function main(): Promise<void> {
  const [mode, dir, scratch, size, tag] = process.argv.slice(2);
  if (mode !== 'write') throw new Error(`unknown mode ${mode}`);
  const total = Number(size);
  const hash = createHash('sha256');
  for await (const c of generated(total, process.pid, 0)) hash.update(c as Buffer);
  const desc = { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: parseDigest(`sha256:${hash.digest('hex')}`), size: total };
  const layout = await OciLayout.open(dir!, scratch === '-' ? {} : { scratchDir: scratch });
  console.log(`started ${desc.digest}`);
  await layout.push(desc, generated(total, process.pid, 20));
  // A layer is not something index.json may name; an index around it is.
  const index = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [], annotations: { for: desc.digest } }),
  );
  const idx = {
    mediaType: 'application/vnd.oci.image.index.v1+json',
    digest: parseDigest(`sha256:${createHash('sha256').update(index).digest('hex')}`),
    size: index.length,
  };
  await layout.push(idx, index);
  await layout.tag(idx, tag!);
  await layout.tidy();
  console.log('done');
}

await main();
