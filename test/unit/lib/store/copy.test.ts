import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Readable } from 'node:stream';
import { MemoryStore } from '../../../../lib/store/memory-store.js';
import { RoutingReader } from '../../../../lib/store/routing-reader.js';
import { copyGraph } from '../../../../lib/store/copy.js';
import { descriptorOf, type Descriptor } from '../../../../lib/oci/descriptor.js';
import { canonicalJson } from '../../../../lib/oci/manifest.js';
import { MediaType } from '../../../../lib/oci/media-types.js';
import type { Mounter, Opts } from '../../../../lib/oci/content-store.js';

async function put(store: MemoryStore, value: unknown, mediaType: string): Promise<Descriptor> {
  const bytes = typeof value === 'string' ? Buffer.from(value) : canonicalJson(value);
  const d = descriptorOf(bytes, mediaType);
  await store.push(d, bytes);
  return d;
}

async function graph(): Promise<{ src: MemoryStore; root: Descriptor; all: number }> {
  const src = new MemoryStore();
  const shared = await put(src, 'shared layer', MediaType.OciLayerGzip);
  const manifests: Descriptor[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const layer = await put(src, `layer ${arch}`, MediaType.OciLayerGzip);
    const config = await put(src, { architecture: arch, os: 'linux' }, MediaType.OciConfig);
    const m = await put(src, { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [shared, layer] }, MediaType.OciManifest);
    manifests.push({ ...m, platform: { os: 'linux', architecture: arch } });
  }
  const root = await put(src, { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }, MediaType.OciIndex);
  return { src, root, all: 8 };
}

/** Records push order so the test can check children-before-parents. */
class RecordingStore extends MemoryStore {
  order: string[] = [];
  override async push(desc: Descriptor, body: Readable | Uint8Array, o?: Opts): Promise<void> {
    await super.push(desc, body, o);
    this.order.push(desc.digest);
  }
}

test('copyGraph copies every blob once, children before parents', async () => {
  const { src, root, all } = await graph();
  const dst = new RecordingStore();
  const res = await copyGraph(src, dst, root, { concurrency: 2 });
  assert.equal(res.copied, all);
  assert.equal(dst.order.length, all);
  assert.equal(dst.order.at(-1), root.digest);
  assert.deepEqual(dst.digests(), src.digests());
  const parsed = JSON.parse(
    (await import('node:buffer')).Buffer.from(await (await import('../../../../lib/store/read-blob.js')).readBlob(src, root)).toString(),
  ) as { manifests: Descriptor[] };
  for (const m of parsed.manifests) {
    const mi = dst.order.indexOf(m.digest);
    const man = JSON.parse(Buffer.from(await (await import('../../../../lib/store/read-blob.js')).readBlob(src, m)).toString()) as {
      config: Descriptor;
      layers: Descriptor[];
    };
    for (const child of [man.config, ...man.layers]) assert.ok(dst.order.indexOf(child.digest) < mi, 'child pushed after its manifest');
  }
});

test('copyGraph skips what the destination has; an existing root skips everything', async () => {
  const { src, root } = await graph();
  const dst = new RecordingStore();
  await copyGraph(src, dst, root);
  dst.order = [];
  const again = await copyGraph(src, dst, root);
  assert.deepEqual(again, { copied: 0, exists: 1, mounted: 0, bytes: 0 });
  assert.deepEqual(dst.order, []);
});

test('copyGraph mounts blobs the source locates in another repository of the destination registry', async () => {
  const { src: plain, root } = await graph();
  const src = new RoutingReader({ last: plain });
  const elsewhere = {
    exists: (d: Descriptor) => plain.exists(d),
    fetch: (d: Descriptor) => plain.fetch(d),
    locate: () => ({ registry: 'reg.example', repository: 'library/base' }),
  };
  src.route(await Promise.all(plain.digests().map(async (d) => ({ mediaType: 'x', digest: d as Descriptor['digest'], size: 0 }))), elsewhere);
  class MountingStore extends MemoryStore implements Mounter {
    readonly registry: string = 'reg.example';
    mounts: string[] = [];
    async mount(desc: Descriptor, from: string): Promise<boolean> {
      assert.equal(from, 'library/base');
      if (desc.mediaType !== MediaType.OciLayerGzip) return false;
      this.mounts.push(desc.digest);
      await this.push(desc, await src.fetch(desc));
      return true;
    }
  }
  const dst = new MountingStore();
  const events: string[] = [];
  const res = await copyGraph(src, dst, root, { onEvent: (e) => events.push(e.type) });
  assert.equal(res.mounted, 3);
  assert.equal(dst.mounts.length, 3);
  assert.ok(events.includes('mounted') && events.includes('copied'));
  class OtherRegistry extends MountingStore {
    override readonly registry = 'other.example';
  }
  const far = new OtherRegistry();
  assert.equal((await copyGraph(src, far, root)).mounted, 0, 'never mounts across registries');
});

test('copyGraph fails with context when the source lacks a blob', async () => {
  const { src, root } = await graph();
  const partial = new MemoryStore();
  for (const d of src.digests()) {
    if (d === src.digests()[0]) continue;
    const desc = { mediaType: 'x', digest: d as Descriptor['digest'], size: 0 };
    const body = await src.fetch(desc);
    await partial.ingest('x', body);
  }
  await assert.rejects(copyGraph(partial, new MemoryStore(), root), /copying .* not found/);
});
