// Issue 13, item 6 (c): `COPY --from=<image> /usr/bin /out/` where a file in /usr/bin is a hard
// link to one outside it (/usr/lib/…). BuildKit copies the file the link names, as a regular
// file, instead of refusing the link. The image is made here from raw tar members.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { cleanFailure, ocibake } from '../harness/cli.js';
import { rawTar } from '../harness/hostile-tar.js';
import { writeImageLayout } from '../harness/layout-image.js';
import { tempDir } from '../harness/tmp.js';
import type { Index, Manifest } from '../../lib/oci/manifest.js';

const work = tempDir('ocibake-regress-13-hardlink-');

/** `tar -tvzf` of the last layer of the image tagged `tag` in `layout`, one member per line (GNU tar, not ours). */
function lastLayerListing(layout: string, tag: string): string[] {
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
  const manifest = JSON.parse(readFileSync(blob(entry.digest), 'utf8')) as Manifest;
  const out = execFileSync('tar', ['-tvzf', blob(manifest.layers.at(-1)!.digest), '--numeric-owner'], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((l) => l.replace(/\s+\d{4}-\d{2}-\d{2} \d{2}:\d{2}\s+/, ' ').replace(/\s+/g, ' '));
}

function contentOf(layout: string, tag: string, member: string): string {
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
  const entry = index.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag)!;
  const manifest = JSON.parse(readFileSync(blob(entry.digest), 'utf8')) as Manifest;
  return execFileSync('tar', ['-xOzf', blob(manifest.layers.at(-1)!.digest), member], { encoding: 'utf8' });
}

test('COPY --from=<image> of a hard link whose target is outside the copied path copies the file, like BuildKit', async () => {
  const base = join(work, 'base');
  writeImageLayout(base, 'v1', [
    {
      blob: gzipSync(
        rawTar([
          { type: 'dir', name: 'usr' },
          { type: 'dir', name: 'usr/lib' },
          { type: 'file', name: 'usr/lib/libx.so', body: 'LIBX', mode: 0o755, uid: 7, gid: 8 },
          { type: 'dir', name: 'usr/bin' },
          { type: 'hardlink', name: 'usr/bin/x', target: 'usr/lib/libx.so' },
          { type: 'hardlink', name: 'usr/bin/x2', target: 'usr/lib/libx.so' },
          { type: 'file', name: 'usr/bin/tool', body: 'TOOL', mode: 0o700 },
          { type: 'hardlink', name: 'usr/bin/tool-alias', target: 'usr/bin/tool' },
        ]),
      ),
    },
  ]);
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  const cases = {
    target: 'FROM scratch\nCOPY --from=img /usr/bin /out/\n',
    build: 'FROM scratch AS b\nCOPY --from=img /usr/bin /out/\nFROM scratch\nCOPY --from=b /out /out/\n',
  };
  // --executor=host reads only the named paths out of the image (where the link was refused); the image executor unpacks it whole.
  for (const [kind, dockerfile, executor] of Object.entries(cases).flatMap(([k, d]) => [[k, d, 'host'] as const, [k, d, 'image'] as const])) {
    writeFileSync(join(ctx, 'Dockerfile'), dockerfile);
    const out = join(work, `out-${kind}-${executor}`);
    const run = await ocibake(
      ['build', ctx, '--executor', executor, '--base', `img=oci-layout://${base}:v1`, '-o', `type=oci,dest=${out}`, '-t', 'app:1', '--progress', 'plain'],
      {
        env: { OCIBAKE_CACHE: join(work, `cache-${kind}-${executor}`) },
      },
    );
    assert.equal(run.code, 0, `${kind}, --executor=${executor}: ${cleanFailure(run) ?? run.stderr}`);
    const listing = lastLayerListing(out, '1');
    const line = (name: string) => listing.find((l) => l.endsWith(` ${name}`) || l.includes(` ${name} link to `)) ?? '';
    // x and x2 name /usr/lib/libx.so, which is not copied: x is that file, with its mode and size
    // (COPY makes the owner root). x2 is the same file again, or (where the copy sees the shared
    // inode, as BuildKit's does) a hard link to out/x.
    assert.match(line('out/x'), /^-rwxr-xr-x 0\/0 4 out\/x$/, `${kind}: ${listing.join('\n')}`);
    assert.match(line('out/x2'), /^(-rwxr-xr-x 0\/0 4 out\/x2|hrwxr-xr-x 0\/0 0 out\/x2 link to out\/x)$/, `${kind}: ${listing.join('\n')}`);
    assert.equal(contentOf(out, '1', 'out/x'), 'LIBX');
    assert.match(line('out/tool'), /^-rwx------ 0\/0 4 out\/tool$/);
    assert.match(line('out/tool-alias'), /^[-h]rwx------ 0\/0 /, 'a link inside the copied path is copied as well');
    assert.equal(listing.filter((l) => l.includes('usr/lib')).length, 0, 'nothing outside the copied path');
  }
});
