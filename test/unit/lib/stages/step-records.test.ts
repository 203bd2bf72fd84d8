import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Descriptor } from '../../../../lib/oci/descriptor.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import { parseDigest } from '../../../../lib/oci/digest.js';
import { stepKey, StepRecords, type StepRecord } from '../../../../lib/stages/step-records.js';
import { tempDir } from '../../../harness/tmp.js';

const d = (c: string) => parseDigest(`sha256:${c.repeat(64)}`);
const layer = { descriptor: { mediaType: MediaType.OciLayerGzip, digest: d('a'), size: 123 } as Descriptor, diffId: d('b') };

test('stepKey: 64 hex, the same for the same inputs', () => {
  const k = stepKey('p'.repeat(64), 'RUN', { command: 'make', env: [['A', '1']] });
  assert.match(k, /^[0-9a-f]{64}$/);
  assert.equal(stepKey('p'.repeat(64), 'RUN', { command: 'make', env: [['A', '1']] }), k);
});

test('stepKey: the parent, the kind and every part of the payload count', () => {
  const base = stepKey('parent', 'RUN', { command: 'make', env: [['A', '1']], mounts: [] });
  const variants = [
    stepKey('other', 'RUN', { command: 'make', env: [['A', '1']], mounts: [] }),
    stepKey('', 'RUN', { command: 'make', env: [['A', '1']], mounts: [] }),
    stepKey('parent', 'COPY', { command: 'make', env: [['A', '1']], mounts: [] }),
    stepKey('parent', 'RUN', { command: 'make ', env: [['A', '1']], mounts: [] }),
    stepKey('parent', 'RUN', { command: 'make', env: [['A', '2']], mounts: [] }),
    stepKey('parent', 'RUN', { command: 'make', env: [['A', '1']], mounts: [{ type: 'cache', target: '/c' }] }),
    stepKey('parent', 'RUN', {
      command: 'make',
      env: [
        ['A', '1'],
        ['B', ''],
      ],
      mounts: [],
    }),
  ];
  assert.equal(new Set([base, ...variants]).size, variants.length + 1, 'all different');
});

test('stepKey: parts cannot run into each other (no concatenation ambiguity)', () => {
  assert.notEqual(stepKey('ab', 'c', {}), stepKey('a', 'bc', {}));
  assert.notEqual(stepKey('', 'RUN', 'x"]'), stepKey('', 'RUN"', 'x'));
  assert.notEqual(stepKey('p', 'RUN', ['a', 'b']), stepKey('p', 'RUN', ['a,b']));
});

test('StepRecords: a record round-trips; a missing, corrupt or non-object record is no record', async () => {
  const dir = tempDir();
  const records = new StepRecords(join(dir, 'steps'));
  assert.equal(await records.get('k'.repeat(64)), undefined, 'nothing yet (the dir does not even exist)');
  const rec: StepRecord = { layer, snapshot: 's'.repeat(64), durationMs: 1234, emulated: true };
  await records.put('k'.repeat(64), rec);
  assert.deepEqual(await records.get('k'.repeat(64)), rec);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'steps', `${'k'.repeat(64)}.json`), 'utf8')), rec, 'one JSON file per key');
  mkdirSync(join(dir, 'steps'), { recursive: true });
  for (const [name, text] of [
    ['truncated', '{"layer":{"descr'],
    ['null', 'null'],
    ['number', '5'],
    ['empty', ''],
  ] as const) {
    writeFileSync(join(dir, 'steps', `${name}.json`), text);
    assert.equal(await records.get(name), undefined, name);
  }
});

test('StepRecords: "changed nothing" (layer null) stays distinct from "no layer written" (layer absent)', async () => {
  const records = new StepRecords(tempDir());
  await records.put('nothing', { layer: null, durationMs: 5 });
  await records.put('unwritten', { layer: undefined, snapshot: 'snap' });
  const nothing = await records.get('nothing');
  const unwritten = await records.get('unwritten');
  assert.equal(nothing?.layer, null);
  assert.equal(unwritten?.layer, undefined);
  assert.notEqual(unwritten?.layer, null);
  assert.equal(unwritten?.snapshot, 'snap');
});

test('StepRecords: put replaces a record atomically and leaves no temp file; concurrent puts leave one whole record', async () => {
  const dir = tempDir();
  const records = new StepRecords(dir);
  await records.put('k', { layer: null });
  await records.put('k', { layer, durationMs: 1 });
  assert.deepEqual(await records.get('k'), { layer, durationMs: 1 });
  await Promise.all(Array.from({ length: 20 }, (_, i) => records.put('race', { layer: null, durationMs: i })));
  const got = await records.get('race');
  assert.ok(got && typeof got.durationMs === 'number' && got.durationMs >= 0 && got.durationMs < 20);
  assert.deepEqual(readdirSync(dir).sort(), ['k.json', 'race.json']);
});
