// `ocibake build` with ADD of hostile archives (plain tar, gzip, bzip2, xz) in a build stage and in
// the image's stage: the build never creates or changes a file outside its own output, the image
// holds what BuildKit would put there (read back with GNU tar, not our reader), and an archive
// BuildKit refuses fails the build at its Dockerfile line.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanFailure, ocibake } from '../harness/cli.js';
import { COMPRESSIONS, writeArchive, type RawMember } from '../harness/hostile-tar.js';

let work: string;
let outside: string;
let ctx: string;

const EXT = { tar: 'tar', gzip: 'tar.gz', bzip2: 'tar.bz2', xz: 'tar.xz' } as const;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-add-'));
  outside = join(work, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'victim'), 'original\n');
  ctx = join(work, 'ctx');
  mkdirSync(ctx);
  const members: RawMember[] = [
    { type: 'symlink', name: 'd', target: outside },
    { type: 'file', name: 'd/planted', body: 'planted' },
    { type: 'symlink', name: 'v', target: join(outside, 'victim') },
    { type: 'file', name: 'v', body: 'pwned' },
    { type: 'file', name: 'bin/tool', body: '#!/bin/sh\n', mode: 0o755 },
    { type: 'hardlink', name: 'bin/alias', target: 'bin/tool' },
  ];
  for (const c of COMPRESSIONS) writeArchive(join(ctx, `evil.${EXT[c]}`), members, c);
  writeArchive(join(ctx, 'climb.tar'), [{ type: 'file', name: '../../climb', body: 'x' }], 'tar');
  const adds = COMPRESSIONS.map((c) => `ADD evil.${EXT[c]} /${c}/`);
  writeFileSync(
    join(ctx, 'Dockerfile'),
    ['FROM --platform=$BUILDPLATFORM scratch AS build', ...adds, 'FROM scratch', ...adds, 'COPY --from=build / /from-build/', ''].join('\n'),
  );
});
after(() => rmSync(work, { recursive: true, force: true }));

function layerListings(layout: string): string[] {
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const blob = (d: string): string => join(layout, 'blobs', 'sha256', d.slice('sha256:'.length));
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as { layers: { digest: string }[] };
  return manifest.layers.map((l) => execFileSync('tar', ['-tvzf', blob(l.digest)], { encoding: 'utf8' }));
}

test('hostile archives in a build stage and in the image stage stay inside the image', async () => {
  const out = join(work, 'out');
  const run = await ocibake(['build', ctx, '-o', `type=oci,dest=${out}`, '--progress', 'plain'], { env: { OCIBAKE_CACHE: join(work, 'cache') } });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(execFileSync('find', [outside], { encoding: 'utf8' }).trim().split('\n').sort(), [outside, join(outside, 'victim')]);
  assert.equal(readFileSync(join(outside, 'victim'), 'utf8'), 'original\n');
  const layers = layerListings(out);
  assert.equal(layers.length, COMPRESSIONS.length + 1);
  const rel = outside.slice(1);
  for (const [i, c] of COMPRESSIONS.entries()) {
    const l = layers[i]!;
    assert.match(l, new RegExp(`${c}/d -> ${outside}\\n`));
    assert.match(l, new RegExp(` ${c}/${rel}/planted\\n`), l);
    assert.match(l, new RegExp(`^-rw-r--r-- 0/0 +5 .* ${c}/v$`, 'm'), 'v is a plain file of 5 bytes ("pwned")');
    assert.match(l, new RegExp(`^h.* ${c}/bin/alias link to ${c}/bin/tool$`, 'm'), 'the hard link stays one');
  }
  assert.match(layers.at(-1)!, new RegExp(` from-build/gzip/${rel}/planted\\n`));
});

test('an archive member that climbs out of the root fails the build at its line', async () => {
  const bad = join(work, 'bad');
  mkdirSync(bad);
  writeFileSync(join(bad, 'climb.tar'), readFileSync(join(ctx, 'climb.tar')));
  writeFileSync(join(bad, 'Dockerfile'), 'FROM scratch\nADD climb.tar /x/\n');
  const run = await ocibake(['build', bad, '-o', `type=oci,dest=${join(work, 'bad-out')}`, '--progress', 'plain'], {
    env: { OCIBAKE_CACHE: join(work, 'cache') },
  });
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /Dockerfile:2.*ADD climb\.tar/);
  assert.match(run.stderr, /"\.\.\/\.\.\/climb": the path leaves the extraction root/);
});
