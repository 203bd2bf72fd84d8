import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OciLayout, REF_NAME_ANNOTATION } from '../../../../lib/store/oci-layout.js';
import { descriptorOf } from '../../../../lib/oci/descriptor.js';
import { isOcibakeError } from '../../../../lib/errors.js';
import { contentStoreSuite, targetSuite } from '../../../conformance/content-store.suite.js';

const root = mkdtempSync(join(tmpdir(), 'ocibake-layout-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(root, `l${n++}`);

contentStoreSuite('OciLayout', () => OciLayout.open(fresh()));
targetSuite('OciLayout', () => OciLayout.open(fresh()));

test('OciLayout: creates oci-layout and an empty index.json', async () => {
  const dir = fresh();
  await OciLayout.open(dir);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'oci-layout'), 'utf8')), { imageLayoutVersion: '1.0.0' });
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')).manifests, []);
});

test('OciLayout: several tags in one layout, concurrent tagging keeps them all', async () => {
  const dir = fresh();
  const layout = await OciLayout.open(dir);
  const descs = await Promise.all(
    ['a', 'b', 'c', 'd'].map(async (name) => {
      const bytes = Buffer.from(JSON.stringify({ schemaVersion: 2, manifests: [], name }));
      const d = descriptorOf(bytes, 'application/vnd.oci.image.index.v1+json');
      await layout.push(d, bytes);
      return d;
    }),
  );
  await Promise.all(descs.map((d, i) => layout.tag(d, `t${i}`)));
  const reopened = await OciLayout.open(dir, { create: false });
  const index = await reopened.index();
  assert.deepEqual(index.manifests.map((m) => m.annotations?.[REF_NAME_ANNOTATION]).sort(), ['t0', 't1', 't2', 't3']);
  assert.equal((await reopened.resolve('t2')).digest, descs[2]!.digest);
  assert.equal((await reopened.resolve(descs[3]!.digest)).digest, descs[3]!.digest);
});

test('OciLayout: tagging a manifest the layout lacks fails; opening a non-layout with create:false fails', async () => {
  const layout = await OciLayout.open(fresh());
  const d = descriptorOf(Buffer.from('x'), 'application/vnd.oci.image.manifest.v1+json');
  await assert.rejects(layout.tag(d, 'x'), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_BLOB_NOT_FOUND');
  await assert.rejects(OciLayout.open(fresh(), { create: false }), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_STORE');
});
