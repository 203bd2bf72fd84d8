// Layer-write benchmark: ocibake's writer vs `tar --sort=name … | pigz -p2 -6` on the same tree,
// in the same run. Usage: node dist/scripts/bench/layer.js [--size-mb 320] [--level 6] [--dir /tmp/ocibake-bench-tree]
// The tree (thousands of files, mixed binary and text, deterministic) is generated once and kept.
import { spawn } from 'node:child_process';

import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CacheStore, walkDirectory, writeLayer } from '../../lib/index.js';

const { values } = parseArgs({
  options: {
    'size-mb': { type: 'string', default: '320' },
    level: { type: 'string', default: '6' },
    dir: { type: 'string', default: join(tmpdir(), 'ocibake-bench-tree-v2') },
  },
});
const sizeMb = Number(values['size-mb']);
const level = Number(values.level);
const tree = values.dir;

const WORDS =
  'the of and to in is it you that he was for on are with as his they be at one have this from or had by word but what some we can out other were all there when up use your how said an each she which do their time if will way about many then them write would like so these her long make thing see him two has look more day could go come did number sound no most people my over know water than call first who may down side been now find'.split(
    ' ',
  );

/** xorshift32: fast, deterministic bytes so every run benchmarks the same tree. */
function rng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function generate(dir: string, totalBytes: number): { files: number; bytes: number } {
  const next = rng(12345);
  let bytes = 0;
  let files = 0;
  while (bytes < totalBytes) {
    const sub = join(dir, `pkg${String(files % 97).padStart(2, '0')}`, `mod${files % 13}`);
    mkdirSync(sub, { recursive: true });
    // Mostly small files, some large ones: what node_modules or a Go/C build output looks like.
    const r = next() % 100;
    const size = r < 90 ? 512 + (next() % 16_384) : r < 99 ? 16_384 + (next() % 400_000) : 2_000_000 + (next() % 6_000_000);
    let data: Buffer;
    if (files % 5 < 2) {
      data = Buffer.alloc(size);
      for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32LE(next(), i);
    } else {
      const parts: string[] = [];
      let n = 0;
      while (n < size) {
        const line = `${Array.from({ length: 4 + (next() % 10) }, () => WORDS[next() % WORDS.length]).join(' ')} ${next() % 1000}\n`;
        parts.push(line);
        n += line.length;
      }
      data = Buffer.from(parts.join('').slice(0, size));
    }
    writeFileSync(join(sub, `file-${files}.${files % 5 < 2 ? 'bin' : 'txt'}`), data);
    bytes += size;
    files++;
  }
  return { files, bytes };
}

function run(cmd: string, args: string[], out: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', `${[cmd, ...args].join(' ')} > ${out}`], { stdio: ['ignore', 'ignore', 'inherit'] });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  if (!existsSync(join(tree, '.complete'))) {
    rmSync(tree, { recursive: true, force: true });
    mkdirSync(tree, { recursive: true });
    const t = Date.now();
    const g = generate(tree, sizeMb * 1e6);
    writeFileSync(join(tree, '.complete'), JSON.stringify(g));
    console.log(`generated ${g.files} files, ${(g.bytes / 1e6).toFixed(0)} MB in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  }
  const work = mkdtempSync(join(tmpdir(), 'ocibake-bench-'));
  try {
    const t0 = performance.now();
    const res = await writeLayer(walkDirectory(tree, { filter: (p) => p !== '.complete' }), { level }, new CacheStore({ dir: join(work, 'cache') }));
    const ours = (performance.now() - t0) / 1000;
    const out = join(work, 'ref.tar.gz');
    const t1 = performance.now();
    await run(
      'tar',
      [
        '--sort=name',
        '--mtime=@0',
        '--owner=0',
        '--group=0',
        '--numeric-owner',
        '--exclude=./.complete',
        '-C',
        tree,
        '-c',
        '.',
        '|',
        'pigz',
        '-p2',
        `-${level}`,
      ],
      out,
    );
    const ref = (performance.now() - t1) / 1000;
    const mb = res.uncompressedSize / 1e6;
    console.log(`cpus ${availableParallelism()}, node ${process.version}, level ${level}, tar ${mb.toFixed(0)} MB`);
    console.log(`ocibake writeLayer      ${ours.toFixed(2)} s  ${(mb / ours).toFixed(0)} MB/s  blob ${(res.descriptor.size / 1e6).toFixed(1)} MB`);
    console.log(`tar | pigz -p2 -${level}      ${ref.toFixed(2)} s  ${(mb / ref).toFixed(0)} MB/s  blob ${(statSync(out).size / 1e6).toFixed(1)} MB`);
    console.log(`diffID ${res.diffId}`);
    console.log(`ratio ocibake / tar|pigz = ${(ours / ref).toFixed(2)}x  (target <= 1.0x)`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
