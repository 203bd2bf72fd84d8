// A malicious base image: its layer tries to escape through `..`, an absolute path and a planted
// symlink. Reading paths out of it (what COPY --from=<image> does) fails with a typed error and
// writes nothing outside the destination.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { readImagePaths } from '../../lib/layer/read-paths.js';
import { UnsafeArchiveError } from '../../lib/layer/errors.js';
import { OciLayout } from '../../lib/store/oci-layout.js';
import { descriptorOf } from '../../lib/oci/descriptor.js';
import { MediaType } from '../../lib/oci/media-types.js';
import { collectBytes, tempDir } from '../harness/tmp.js';

async function evilLayer(entries: { name: string; type?: 'file' | 'symlink'; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  const done = collectBytes(p as unknown as AsyncIterable<Uint8Array>);
  for (const e of entries) p.entry({ mode: 0o644, ...e }, e.type === 'symlink' ? '' : 'pwned');
  p.finalize();
  return gzipSync(await done);
}

const attacks = {
  'dot-dot': [{ name: 'etc/../../victim/pwned' }],
  absolute: [{ name: '/tmp/ocibake-e2e-abs-pwned' }],
  symlink: [{ name: 'etc', type: 'symlink' as const, linkname: '../victim' }, { name: 'etc/pwned' }],
};

for (const [name, entries] of Object.entries(attacks)) {
  test(`COPY --from a malicious image (${name}) fails cleanly and writes nothing outside`, async () => {
    const root = tempDir('ocibake-e2e-evil-');
    const victim = join(root, 'victim');
    mkdirSync(victim);
    writeFileSync(join(victim, 'keep'), 'k');
    const layout = await OciLayout.open(join(root, 'layout'));
    const blob = await evilLayer(entries);
    const layer = descriptorOf(blob, MediaType.OciLayerGzip);
    await layout.push(layer, blob);
    const dest = join(root, 'dest');
    await assert.rejects(
      readImagePaths(layout, [layer], ['/'], dest),
      (e: unknown) => e instanceof UnsafeArchiveError && e.code === 'OCIBAKE_UNSAFE_ARCHIVE' && e.hint !== undefined,
    );
    assert.deepEqual(readdirSync(victim), ['keep']);
    assert.equal(existsSync('/tmp/ocibake-e2e-abs-pwned'), false);
  });
}
