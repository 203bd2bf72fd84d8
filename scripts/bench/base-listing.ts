// Benchmark (issue 13, item 5): "is this path a directory?" over a hostile base, one layer of n
// directories and one of n whiteouts of them, the slowdown attack on COPY's destination check.
// Prints the time of the first question (both layers listed, then merged) and of the same
// question in a new process, as the next build asks it (the cache holds the listings).
// Usage: npm run build && node dist/scripts/bench/base-listing.js [n ...]   (default 15000 30000 60000)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ImageFs } from '../../lib/assemble/image-fs.js';
import { encodeEntryHeaders } from '../../lib/layer/tar-header.js';
import { descriptorOf, type Descriptor } from '../../lib/oci/descriptor.js';
import { CacheStore } from '../../lib/store/cache-store.js';

function tar(names: string[], typeflag: string): Buffer {
  const parts = names.map((name) => encodeEntryHeaders({ name, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, typeflag, linkname: '' }));
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Asks the two questions; returns the seconds taken, after checking the answers. */
async function ask(cacheDir: string, layers: Descriptor[], last: string): Promise<number> {
  const fs = new ImageFs(new CacheStore({ dir: cacheDir }), join(cacheDir, 'fs-listings'), layers);
  const t0 = performance.now();
  const gone = await fs.isDir(`/d/${last}`);
  const kept = await fs.isDir('/d');
  const s = (performance.now() - t0) / 1000;
  if (gone || !kept) throw new Error(`wrong answer: /d/${last} is ${gone ? '' : 'not '}a directory, /d is ${kept ? '' : 'not '}one`);
  return s;
}

async function run(n: number): Promise<void> {
  const ids = Array.from({ length: n }, (_, i) => `x${String(i).padStart(6, '0')}`);
  const dir = mkdtempSync(join(tmpdir(), 'ocibake-bench-listing-'));
  try {
    const store = new CacheStore({ dir });
    const layers: Descriptor[] = [];
    for (const t of [
      tar(['d/', ...ids.map((id) => `d/${id}/`)], '5'),
      tar(
        ids.map((id) => `d/.wh.${id}`),
        '0',
      ),
    ]) {
      const blob = gzipSync(t, { level: 1 });
      const desc = descriptorOf(blob, 'application/vnd.oci.image.layer.v1.tar+gzip');
      await store.push(desc, blob);
      layers.push(desc);
    }
    const cold = await ask(dir, layers, ids[n - 1]!);
    const warm = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--ask', dir, ids[n - 1]!, JSON.stringify(layers)], {
      encoding: 'utf8',
    }).trim();
    console.log(`n=${n}: first build ${cold.toFixed(2)} s (list both layers, merge); next build ${Number(warm).toFixed(2)} s (a new process, listings cached)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--ask') {
  const [dir, last, layers] = process.argv.slice(3);
  console.log(String(await ask(dir!, JSON.parse(layers!) as Descriptor[], last!)));
} else {
  const sizes = process.argv.slice(2).map(Number);
  for (const n of sizes.length ? sizes : [15_000, 30_000, 60_000]) await run(n);
}
