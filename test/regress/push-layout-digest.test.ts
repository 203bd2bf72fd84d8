// `ocibake push out@sha256:<hex> REF` read the layout directory as "out@sha256".
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { sharedAlpineLayout, type AlpineLayout } from '../harness/alpine-index.js';
import { inspectRaw } from '../harness/skopeo.js';
import { ocibake } from '../harness/cli.js';
import { parseLayoutRef } from '../../lib/store/layout-ref.js';

let reg: TestRegistry;
let alpine: AlpineLayout;
let tmp: string;
before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'ocibake-pushd-'));
  [reg, alpine] = await Promise.all([startRegistry('anonymous'), sharedAlpineLayout()]);
});
after(async () => {
  await reg?.stop();
  rmSync(tmp, { recursive: true, force: true });
});

test('parseLayoutRef splits DIR, DIR:tag and DIR@digest', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseLayoutRef(`out@${d}`), { dir: 'out', digest: d });
  assert.deepEqual(parseLayoutRef('./out:1.0'), { dir: './out', tag: '1.0' });
  assert.deepEqual(parseLayoutRef('/tmp/a:b/out'), { dir: '/tmp/a:b/out' });
  assert.deepEqual(parseLayoutRef('out'), { dir: 'out' });
});

test('push DIR@sha256:… pushes the image that digest names', async () => {
  const r = await ocibake(['push', `${alpine.dir}@${alpine.indexDigest}`, `${reg.host}/by-digest/alpine:1`, '--progress', 'quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), `${reg.host}/by-digest/alpine:1@${alpine.indexDigest}`);
  assert.ok((await inspectRaw(reg, 'by-digest/alpine:1')).length > 0);
});
