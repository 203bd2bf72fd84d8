import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { OcibakeError } from '../../../../lib/errors.js';
import type { LayerEntry } from '../../../../lib/layer/entry.js';
import type { BlobReader } from '../../../../lib/oci/content-store.js';
import { descriptorOf, type Descriptor } from '../../../../lib/oci/descriptor.js';
import { digestHex, sha256 } from '../../../../lib/oci/digest.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import type { ProgressEvent } from '../../../../lib/progress.js';
import type { SandboxCaps } from '../../../../lib/sandbox/caps.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';
import { Materializer, type FsLayer } from '../../../../lib/stages/fs-layers.js';
import { snapshotOps } from '../../../../lib/stages/snapshot-ops.js';
import type { StepLayer } from '../../../../lib/stages/step-records.js';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { tempDir } from '../../../harness/tmp.js';
import { layerBlob } from '../snapshot/overlay-harness.js';

const caps: SandboxCaps = { mode: 'root', cow: 'overlay', tools: findHostTools().tools!, overlayOptions: '', notes: [] };
const text = (s: string): Uint8Array => Buffer.from(s);

/** A gzip layer of `entries` in `store`, as a step's layer (descriptor and diffID). */
async function layer(store: MemoryStore, entries: LayerEntry[]): Promise<StepLayer> {
  const blob = await layerBlob(entries);
  const descriptor = descriptorOf(blob, MediaType.OciLayerGzip);
  await store.push(descriptor, blob);
  return { descriptor, diffId: sha256(gunzipSync(blob)) };
}

/** A blob reader that counts fetches (per digest) and how many ran at once, slowed down a little. */
class CountingReader implements BlobReader {
  readonly fetched = new Map<string, number>();
  active = 0;
  maxActive = 0;
  constructor(
    readonly inner: BlobReader,
    readonly delayMs = 0,
  ) {}
  exists(d: Descriptor): Promise<boolean> {
    return this.inner.exists(d);
  }
  async fetch(d: Descriptor): Promise<Readable> {
    this.fetched.set(d.digest, (this.fetched.get(d.digest) ?? 0) + 1);
    this.active++;
    this.maxActive = Math.max(this.maxActive, this.active);
    try {
      await new Promise((r) => setTimeout(r, this.delayMs));
      return await this.inner.fetch(d);
    } finally {
      this.active--;
    }
  }
}

async function setup(delayMs = 0) {
  const store = new MemoryStore();
  const reader = new CountingReader(store, delayMs);
  const events: ProgressEvent[] = [];
  const ops = snapshotOps(caps, tempDir('ocibake-fs-layers-'));
  const base = await layer(store, [
    { path: '/etc', type: 'dir', mode: 0o755 },
    { path: '/etc/motd', type: 'file', mode: 0o644, data: text('base\n') },
    { path: '/etc/passwd', type: 'file', mode: 0o644, data: text('root:x:0:0::/root:/bin/sh\n') },
  ]);
  const top = await layer(store, [
    { path: '/etc', type: 'dir', mode: 0o755 },
    { path: '/etc/motd', type: 'file', mode: 0o644, data: text('top\n') },
    { path: '/etc/.wh.passwd', type: 'file', mode: 0, data: new Uint8Array(0) },
  ]);
  return { store, reader, events, ops, base, top, m: new Materializer(ops, reader, (e) => events.push(e)) };
}

test('Materializer: blobs become snapshots named by diffID, lowest first, read merged by the view', async () => {
  const { m, ops, base, top, events } = await setup();
  const r = await m.materialize('k1', [{ blob: base }, { blob: top }]);
  assert.deepEqual(
    r.snapshots.map((s) => s.id),
    [digestHex(base.diffId), digestHex(top.diffId)],
  );
  assert.equal((await r.view.readFile('/etc/motd')).toString(), 'top\n', 'the upper layer wins');
  assert.equal(await r.view.stat('/etc/passwd'), undefined, 'the whiteout hides the lower file');
  assert.ok(await ops.store.get(digestHex(base.diffId)), 'in the snapshot store');
  const infos = events.filter((e) => e.type === 'info').map((e) => (e as { message: string }).message);
  assert.equal(infos.length, 2);
  // Layers unpack concurrently: one message each, in whichever order they finish.
  for (const [l, entries] of [
    [base, 3],
    [top, 2],
  ] as const)
    assert.equal(
      infos.filter((i) => new RegExp(`^unpacked layer ${l.descriptor.digest.slice(7, 19)} \\(${entries} entries\\) in \\d+\\.\\d\\ds$`).test(i)).length,
      1,
      infos.join('; '),
    );
});

test('Materializer: each layer unpacked once, however many lists (and concurrent calls) share it; one list made once per key', async () => {
  const { m, reader, base, top } = await setup(30);
  const [a, b, c] = await Promise.all([
    m.materialize('a', [{ blob: base }]),
    m.materialize('b', [{ blob: base }, { blob: top }]),
    m.materialize('c', [{ blob: base }, { blob: top }]),
  ]);
  assert.equal(reader.fetched.get(base.descriptor.digest), 1);
  assert.equal(reader.fetched.get(top.descriptor.digest), 1);
  assert.equal(a.snapshots[0]!.dir, b.snapshots[0]!.dir);
  assert.notEqual(b, c, 'another key is another view');
  assert.equal(await m.materialize('b', []), b, 'a key seen before gives the same result, whatever layers are passed');
});

test('Materializer: a snapshot already in the store (an earlier build, a RUN result) is used without fetching', async () => {
  const first = await setup();
  await first.m.materialize('k', [{ blob: first.base }]);
  const again = new Materializer(first.ops, first.reader, () => {});
  const before = first.reader.fetched.get(first.base.descriptor.digest);
  await again.materialize('k', [{ blob: first.base }]);
  assert.equal(first.reader.fetched.get(first.base.descriptor.digest), before, 'not fetched again');
  const bySnapshot = await again.materialize('s', [{ snapshot: digestHex(first.base.diffId) }]);
  assert.equal(bySnapshot.snapshots[0]!.id, digestHex(first.base.diffId));
});

test('Materializer: a snapshot that is gone is rebuilt from its blob; without one it is an error that says to use --no-cache', async () => {
  const { m, base, reader } = await setup();
  const rebuilt = await m.materialize('r', [{ snapshot: 'gone-run-result', blob: base }]);
  assert.equal(rebuilt.snapshots[0]!.id, digestHex(base.diffId));
  assert.equal(reader.fetched.get(base.descriptor.digest), 1);
  const lost: FsLayer[] = [{ snapshot: 'gone-run-result' }];
  await assert.rejects(
    m.materialize('lost', lost),
    (e: unknown) =>
      e instanceof OcibakeError && e.code === 'OCIBAKE_INTERNAL' && /snapshot gone-run-result is gone/.test(e.message) && /--no-cache/.test(e.hint ?? ''),
  );
  // A failed key is not remembered: a later call with layers that work succeeds.
  const ok = await m.materialize('lost', [{ blob: base }]);
  assert.equal(ok.snapshots.length, 1);
});

test('Materializer: zstd layers are refused with a hint; a failed unpack is retried by the next call', async () => {
  const { m, store, base } = await setup();
  const zstd: StepLayer = { descriptor: { ...base.descriptor, mediaType: MediaType.OciLayerZstd }, diffId: sha256('zstd-layer') };
  await assert.rejects(
    m.materialize('z', [{ blob: zstd }]),
    (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_UNSUPPORTED_MEDIA_TYPE' && /gzip-compressed base image/.test(e.hint ?? ''),
  );
  // A blob that is not in the store fails; once it is there, the same layer unpacks.
  const late = await layerBlob([{ path: '/late', type: 'file', mode: 0o644, data: text('late\n') }]);
  const desc = descriptorOf(late, MediaType.OciLayerGzip);
  const lateLayer: StepLayer = { descriptor: desc, diffId: sha256(gunzipSync(late)) };
  await assert.rejects(m.materialize('late1', [{ blob: lateLayer }]));
  await store.push(desc, late);
  const r = await m.materialize('late2', [{ blob: lateLayer }]);
  assert.equal((await r.view.readFile('/late')).toString(), 'late\n');
});

test('Materializer: at most three layers unpack at once', async () => {
  const { m, store, reader } = await setup(80);
  const layers: FsLayer[] = [];
  for (let i = 0; i < 7; i++) layers.push({ blob: await layer(store, [{ path: `/f${i}`, type: 'file', mode: 0o644, data: text(`${i}\n`) }]) });
  const r = await m.materialize('many', layers);
  assert.equal(r.snapshots.length, 7);
  assert.equal(reader.maxActive, 3);
  for (let i = 0; i < 7; i++) assert.equal((await r.view.readFile(`/f${i}`)).toString(), `${i}\n`);
});
