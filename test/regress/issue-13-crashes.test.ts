// Issue 13, item 4: inputs that used to end in "Unhandled 'error' event" and a stack trace (or a
// hang) must end in one `error:` line with a hint and exit 1. The pattern behind them: a stream
// that fails before its reader attaches (a small blob is read and verified at once). Every
// hostile input is made here: a registry proxy that flips bytes, a layout damaged on disk, a base
// image whose layer is a truncated gzip stream.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { testImage, type TestImage } from '../harness/images.js';
import { cleanFailure, ocibake, type CliResult } from '../harness/cli.js';
import { tempDir } from '../harness/tmp.js';
import { rawTar } from '../harness/hostile-tar.js';
import { writeImageLayout } from '../harness/layout-image.js';
import { RegistryClient, RegistryStore } from '../../registry/index.js';
import { sha256 } from '../../lib/oci/digest.js';
import { canonicalJson } from '../../lib/oci/manifest.js';

let reg: TestRegistry;
let proxy: FaultProxy;
let img: TestImage;
const work = tempDir('ocibake-regress-13-crash-');
const env = { OCIBAKE_CACHE: join(work, 'cache') };

before(async () => {
  reg = await startRegistry('anonymous');
  proxy = await startFaultProxy(reg.host);
  img = testImage(['amd64'], 256 * 1024);
  const c = new RegistryClient({ keychain: { resolve: async () => undefined } });
  const store = new RegistryStore(c, { registry: reg.host, repository: 'crash/base' });
  for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
  await store.tag(img.root, 'v1');
  await c.close();
});
after(async () => {
  await proxy?.stop();
  await reg?.stop();
});

const configOf = (i: TestImage) => i.blobs.find((b) => b.descriptor.mediaType === 'application/vnd.oci.image.config.v1+json')!.descriptor;
const layerOf = (i: TestImage) => i.blobs.find((b) => b.descriptor.mediaType === 'application/vnd.oci.image.layer.v1.tar+gzip')!.descriptor;

function clean(run: CliResult, what: string): void {
  assert.equal(cleanFailure(run), undefined, what);
  assert.equal(run.code, 1, `${what}: exit 1 (not 70, not a signal)\n${run.stderr}`);
  assert.match(run.stderr, /^hint: /m, `${what}: a hint`);
}

test('pull from a registry that serves wrong bytes for a small blob: a clean error, every time', { timeout: 120_000 }, async () => {
  const config = configOf(img);
  for (let i = 0; i < 5; i++) {
    proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes(`/blobs/${config.digest}`), fault: { kind: 'wrong-body' }, times: 1 });
    const dest = join(work, `pull-${i}`);
    const run = await ocibake(['pull', `${proxy.host}/crash/base:v1`, '-o', `type=oci,dest=${dest}`, '--progress', 'plain'], { env });
    clean(run, `try ${i + 1}`);
    assert.match(run.stderr, new RegExp(`digest mismatch for blob ${config.digest} from ${proxy.host}/crash/base`));
    assert.equal(existsSync(join(dest, 'blobs', 'sha256', config.digest.slice(7))), false, 'the bad bytes were not stored');
    proxy.reset();
  }
});

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile())
      out.set(
        join(e.parentPath, e.name),
        createHash('sha256')
          .update(readFileSync(join(e.parentPath, e.name)))
          .digest('hex'),
      );
  }
  return out;
}

test('push of a layout with a corrupt or truncated blob: a clean error, and the layout stays byte-identical', { timeout: 120_000 }, async () => {
  const good = join(work, 'layout');
  const pulled = await ocibake(['pull', `${reg.host}/crash/base:v1`, '-o', `type=oci,dest=${good}`, '--platform', 'linux/amd64', '--progress', 'quiet'], {
    env,
  });
  assert.equal(pulled.code, 0, pulled.stderr);
  const damage: [string, (file: string) => void, string][] = [
    [layerOf(img).digest, (f) => writeFileSync(f, Buffer.from(readFileSync(f).map((b, i) => (i === 1000 ? b ^ 0xff : b)))), 'a flipped byte in the layer'],
    [configOf(img).digest, (f) => truncateSync(f, 20), 'a truncated config'],
    [layerOf(img).digest, (f) => truncateSync(f, 100_000), 'a truncated layer'],
  ];
  for (const [i, [digest, hurt, what]] of damage.entries()) {
    const dir = join(work, `damaged-${i}`);
    mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
    for (const f of ['oci-layout', 'index.json']) copyFileSync(join(good, f), join(dir, f));
    for (const f of readdirSync(join(good, 'blobs', 'sha256'))) copyFileSync(join(good, 'blobs', 'sha256', f), join(dir, 'blobs', 'sha256', f));
    const file = join(dir, 'blobs', 'sha256', digest.slice(7));
    hurt(file);
    const before = snapshot(dir);
    const run = await ocibake(['push', `${dir}:v1`, `${reg.host}/crash/pushed-${i}:v1`, '--progress', 'plain'], { env });
    clean(run, what);
    assert.match(run.stderr, new RegExp(`${digest}.*(does not match its digest|not found)`), what);
    assert.deepEqual(snapshot(dir), before, `${what}: the input layout is left exactly as it was`);
  }
});

/** A base whose only layer is a gzip stream cut in half (its digest is of the cut bytes, so it is "valid"). */
function truncatedBase(dir: string): void {
  const tar = rawTar([
    { type: 'dir', name: 'etc' },
    { type: 'file', name: 'etc/passwd', body: 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n' },
    { type: 'file', name: 'etc/group', body: 'root:x:0:\napp:x:1000:\n' },
    { type: 'file', name: 'filler', body: createHash('sha256').update('x').digest('hex').repeat(20_000) },
  ]);
  const gz = gzipSync(tar);
  writeImageLayout(dir, 'v1', [{ blob: gz.subarray(0, gz.length >> 1), diffId: `sha256:${createHash('sha256').update(tar).digest('hex')}` }]);
}

test('a base image with a truncated layer, used with COPY --chown: a clean error in a target and in a build stage', { timeout: 120_000 }, async () => {
  const base = join(work, 'truncated');
  truncatedBase(base);
  const ctx = join(work, 'ctx-chown');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'a'), 'a\n');
  const files = {
    target: 'FROM base\nCOPY --chown=app:app a /a\n',
    build: 'FROM base AS b\nCOPY --chown=app:app a /a\nFROM scratch\nCOPY --from=b /a /a\n',
  };
  // --executor=host reads /etc/passwd by extracting it from the layers (where the crash was); the image executor unpacks them.
  for (const executor of ['host', 'image']) {
    for (const [kind, text] of Object.entries(files)) {
      writeFileSync(join(ctx, 'Dockerfile'), text);
      const what = `${kind} stage, --executor=${executor}`;
      const out = join(work, `out-${kind}-${executor}`);
      const run = await ocibake(
        ['build', ctx, '--executor', executor, '--base', `base=oci-layout://${base}:v1`, '-o', `type=oci,dest=${out}`, '--progress', 'plain'],
        {
          env: { OCIBAKE_CACHE: join(work, `cache-${kind}-${executor}`) },
        },
      );
      clean(run, what);
      assert.match(run.stderr, /Dockerfile:2: COPY --chown=app:app a \/a: .*(malformed layer|unexpected end)/, what);
    }
  }
});

test('index create from an image whose config is JSON but not an object, or nested 200,000 deep: a clean error', { timeout: 120_000 }, async () => {
  const c = new RegistryClient({ keychain: { resolve: async () => undefined } });
  try {
    for (const [i, text] of ['[1,2]', `${'['.repeat(200_000)}${']'.repeat(200_000)}`, 'null'].entries()) {
      const config = Buffer.from(text);
      const configDesc = { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length };
      const manifest = canonicalJson({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json', config: configDesc, layers: [] });
      const manifestDesc = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length };
      const store = new RegistryStore(c, { registry: reg.host, repository: `crash/config-${i}` });
      await store.push(configDesc, config);
      await store.push(manifestDesc, manifest);
      const run = await ocibake(
        ['index', 'create', `${reg.host}/crash/config-${i}@${manifestDesc.digest}`, '-t', `${reg.host}/crash/index-${i}:1`, '--progress', 'plain'],
        { env },
      );
      clean(run, `config ${text.slice(0, 10)}`);
      assert.match(run.stderr, /config .*(not a JSON object|nested|too deep)/);
    }
  } finally {
    await c.close();
  }
});
