// Issue 13, item 5: the base-layer listing behind "is this COPY destination a directory?" was
// quadratic (every whiteout scanned every directory: 56 s at n=60k here). The hostile base is
// made here: one layer of n directories, the next whiting out each of them. This asserts the
// answers, never the time (scripts/bench/base-listing.ts measures that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ImageFs } from '../../lib/assemble/image-fs.js';
import { mergeListings, type LayerListing } from '../../lib/assemble/base-listing.js';
import { encodeEntryHeaders } from '../../lib/layer/tar-header.js';
import { descriptorOf, type Descriptor } from '../../lib/oci/descriptor.js';
import type { Index, Manifest } from '../../lib/oci/manifest.js';
import { CacheStore } from '../../lib/store/cache-store.js';
import { ocibake } from '../harness/cli.js';
import { writeImageLayout } from '../harness/layout-image.js';
import { tempDir } from '../harness/tmp.js';

const work = tempDir('ocibake-regress-13-listing-');

function tar(names: string[], typeflag: string): Buffer {
  const parts = names.map((name) => encodeEntryHeaders({ name, mode: 0o755, uid: 0, gid: 0, size: 0, mtime: 0, typeflag, linkname: '' }));
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

/** Layer 1: `d/` and n directories in it, plus `d/keep/`; layer 2: a whiteout for each of the n. */
function hostileLayers(n: number): { ids: string[]; blobs: Buffer[] } {
  const ids = Array.from({ length: n }, (_, i) => `x${String(i).padStart(6, '0')}`);
  const blobs = [
    tar(['d/', 'd/keep/', ...ids.map((id) => `d/${id}/`), ...ids.slice(0, 10).map((id) => `d/${id}/sub/`)], '5'),
    tar(
      ids.map((id) => `d/.wh.${id}`),
      '0',
    ),
  ];
  return { ids, blobs: blobs.map((t) => gzipSync(t, { level: 1 })) };
}

test('n=60k directories whited out by the next layer: none of them is a directory, their parent and siblings still are', async () => {
  const { ids, blobs } = hostileLayers(60_000);
  const cacheDir = join(work, 'cache');
  const store = new CacheStore({ dir: cacheDir });
  const layers: Descriptor[] = [];
  for (const b of blobs) {
    const d = descriptorOf(b, 'application/vnd.oci.image.layer.v1.tar+gzip');
    await store.push(d, b);
    layers.push(d);
  }
  for (const attempt of ['listed', 'from the cache']) {
    const fs = new ImageFs(store, join(cacheDir, 'fs-listings'), layers);
    for (const id of [ids[0]!, ids[29_999]!, ids.at(-1)!]) assert.equal(await fs.isDir(`/d/${id}`), false, `${attempt}: /d/${id}`);
    assert.equal(await fs.isDir(`/d/${ids[3]}/sub`), false, `${attempt}: under a whiteout`);
    for (const p of ['/', '/d', '/d/keep']) assert.equal(await fs.isDir(p), true, `${attempt}: ${p}`);
  }
});

const L = (l: Partial<LayerListing>): LayerListing => ({ dirs: [], others: [], whiteouts: [], opaque: [], ...l });

for (const [name, layers, want] of [
  ['parents of every path are directories', [L({ others: ['/a/b/c'] })], ['/', '/a', '/a/b']],
  ['a whiteout removes the whole subtree', [L({ dirs: ['/a', '/a/b', '/a/b/c', '/x'] }), L({ whiteouts: ['/a/b'] })], ['/', '/a', '/x']],
  ['a file replacing a directory takes its children', [L({ dirs: ['/a/b/c'] }), L({ others: ['/a/b'] })], ['/', '/a']],
  ['a directory replacing a file', [L({ others: ['/a'] }), L({ dirs: ['/a/b'] })], ['/', '/a', '/a/b']],
  [
    'an opaque directory hides lower content, not its own layer',
    [L({ dirs: ['/o/old', '/o/old/deep'] }), L({ opaque: ['/o'], dirs: ['/o/new'] })],
    ['/', '/o', '/o/new'],
  ],
  ['a whiteout hides lower layers only', [L({ dirs: ['/w'] }), L({ whiteouts: ['/w'], dirs: ['/w'] })], ['/', '/w']],
  ['a whiteout of something absent changes nothing', [L({ dirs: ['/a'] }), L({ whiteouts: ['/nope/x', '/a/nope'] })], ['/', '/a']],
] as const) {
  test(`mergeListings: ${name}`, () => {
    assert.deepEqual(mergeListings(layers), want);
  });
}

/** The paths of the last layer of `tag` in an OCI layout, by GNU tar. */
function lastLayerPaths(layout: string): string[] {
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as Manifest;
  return execFileSync('tar', ['-tzf', blob(manifest.layers.at(-1)!.digest)], { encoding: 'utf8' })
    .trim()
    .split('\n');
}

test('ocibake build on the hostile base puts COPY into a whited-out path as a file and into a directory inside it', { timeout: 300_000 }, async () => {
  const cases = [
    ['host', 60_000],
    ['image', 2_000],
  ] as const;
  for (const [executor, n] of cases) {
    const { ids, blobs } = hostileLayers(n);
    const base = join(work, `base-${executor}`);
    writeImageLayout(
      base,
      'v1',
      blobs.map((blob) => ({ blob })),
    );
    const ctx = join(work, `ctx-${executor}`);
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'f'), 'f\n');
    writeFileSync(join(ctx, 'Dockerfile'), `FROM base\nCOPY f /d/${ids.at(-1)}\nCOPY f /d/keep\n`);
    const out = join(work, `out-${executor}`);
    const run = await ocibake(
      ['build', ctx, '--executor', executor, '--base', `base=oci-layout://${base}:v1`, '-o', `type=oci,dest=${out}`, '--progress', 'plain'],
      {
        env: { OCIBAKE_CACHE: join(work, `cache-${executor}`) },
      },
    );
    assert.equal(run.code, 0, `${executor}: ${run.stderr}`);
    assert.deepEqual(
      lastLayerPaths(out).filter((p) => !p.endsWith('/')),
      ['d/keep/f'],
      `${executor}: COPY f /d/keep went inside the directory`,
    );
    // The COPY before it wrote /d/<id> as a file: the whited-out directory is gone.
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Index;
    const manifest = JSON.parse(readFileSync(join(out, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as Manifest;
    const before = manifest.layers.at(-2)!.digest.slice(7);
    const paths = execFileSync('tar', ['-tzf', join(out, 'blobs', 'sha256', before)], { encoding: 'utf8' })
      .trim()
      .split('\n');
    assert.ok(paths.includes(`d/${ids.at(-1)}`), `${executor}: ${paths.join(' ')}`);
  }
});
