// Child process for the memory and crash e2e tests (not a test file itself):
//   node outputs-child.js layer <cacheDir> <bytes>   write a generated layer, print max RSS
//   node outputs-child.js push <cacheDir> <bytes>    push a generated blob slowly (to be killed)
//   node outputs-child.js tag <layoutDir>            re-tag forever (to be killed)
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import { writeLayer } from '../../lib/layer/write-layer.js';
import type { LayerEntry } from '../../lib/layer/entry.js';
import { CacheStore } from '../../lib/store/cache-store.js';
import { OciLayout } from '../../lib/store/oci-layout.js';
import { descriptorOf } from '../../lib/oci/descriptor.js';
import { parseDigest } from '../../lib/oci/digest.js';

const MiB = 1 << 20;

/** 1 MiB of mixed data: half pseudo-random, half text, so compression does real work. */
function pattern(seed: number): Buffer {
  const out = Buffer.alloc(MiB);
  let h = createHash('sha256').update(String(seed)).digest();
  for (let i = 0; i < MiB / 2; i += 32) {
    h.copy(out, i);
    h = createHash('sha256').update(h).digest();
  }
  out.write(`line ${seed} the quick brown fox jumps over the lazy dog\n`.repeat(MiB / 2 / 50), MiB / 2, 'utf8');
  return out;
}

function generated(bytes: number, seed: number): Readable {
  const block = pattern(seed);
  let left = bytes;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, MiB);
      left -= n;
      this.push(n === MiB ? block : block.subarray(0, n));
    },
  });
}

async function main(): Promise<void> {
  const [mode, dir, size] = process.argv.slice(2);
  if (mode === 'layer') {
    const total = Number(size);
    const fileSize = 64 * MiB;
    const entries: LayerEntry[] = [{ path: '/data', type: 'dir', mode: 0o755 }];
    for (let i = 0; i * fileSize < total; i++) {
      const n = Math.min(fileSize, total - i * fileSize);
      entries.push({ path: `/data/f${String(i).padStart(4, '0')}`, type: 'file', mode: 0o644, size: n, open: () => generated(n, i) });
    }
    const res = await writeLayer(entries, { level: 1 }, new CacheStore({ dir: dir! }));
    console.log(JSON.stringify({ ...res, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  } else if (mode === 'push') {
    const total = Number(size);
    // Digest of what will be sent, computed first so push() can verify it.
    const hash = createHash('sha256');
    for await (const c of generated(total, 7)) hash.update(c as Buffer);
    const desc = { mediaType: 'application/octet-stream', digest: parseDigest(`sha256:${hash.digest('hex')}`), size: total };
    console.log(JSON.stringify(desc));
    await new CacheStore({ dir: dir! }).push(desc, generated(total, 7));
    console.log('done');
  } else if (mode === 'tag') {
    const layout = await OciLayout.open(dir!);
    for (let i = 0; ; i++) {
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [], n: i }));
      const d = descriptorOf(bytes, 'application/vnd.oci.image.index.v1+json');
      await layout.push(d, bytes);
      await layout.tag(d, `t${i % 5}`);
      if (i === 20) console.log('running');
    }
  }
}

await main();
