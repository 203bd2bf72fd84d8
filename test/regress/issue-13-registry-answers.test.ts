// Issue 13, item 6 (a, b), through the CLI against the real registry behind a fault proxy:
// - a registry that answers 201 to a manifest PUT without storing it must not be reported as
//   pushed: the published tag is read back and compared, and the error names the registry;
// - `--timeout` bounds a body that stalls in the middle of a download (an idle timeout that
//   follows it), so the download is resumed, or given up, in seconds and not after 60.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { startFaultProxy, type FaultProxy } from '../harness/fault-proxy.js';
import { testImage, type TestImage } from '../harness/images.js';
import { cleanFailure, ocibake } from '../harness/cli.js';
import { tempDir } from '../harness/tmp.js';
import { ociImageToolValidate } from '../harness/verify.js';
import { RegistryClient, RegistryStore, parseReference } from '../../registry/index.js';

let reg: TestRegistry;
let proxy: FaultProxy;
let img: TestImage;
const work = tempDir('ocibake-regress-13-answers-');
const env = { OCIBAKE_CACHE: join(work, 'cache') };
const anon = () => new RegistryClient({ keychain: { resolve: async () => undefined } });

before(async () => {
  reg = await startRegistry('anonymous');
  proxy = await startFaultProxy(reg.host);
  img = testImage(['amd64'], 1 << 20);
  const c = anon();
  const store = new RegistryStore(c, { registry: reg.host, repository: 'answers/base' });
  for (const b of img.blobs) await store.push(b.descriptor, b.bytes);
  await store.tag(img.root, 'v1');
  await c.close();
});
after(async () => {
  await proxy?.stop();
  await reg?.stop();
});

async function tagOnRegistry(repo: string, tag: string): Promise<string | undefined> {
  const c = anon();
  try {
    return (await c.headManifest(parseReference(`${reg.host}/${repo}:${tag}`)))?.digest;
  } finally {
    await c.close();
  }
}

test('build --push and push to a registry that fakes 201 for manifests: exit 1 naming the registry, nothing reported pushed', async () => {
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'a.txt'), 'a\n');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY a.txt /\n');
  proxy.rules.push({ match: (m, p) => m === 'PUT' && p.includes('/manifests/'), fault: { kind: 'fake-201' }, times: 100 });
  const built = await ocibake(['build', ctx, '-t', `${proxy.host}/answers/app:1`, '--push', '--progress', 'plain'], { env });
  assert.equal(cleanFailure(built), undefined);
  assert.equal(built.code, 1);
  assert.match(built.stderr, new RegExp(`${proxy.host} answered 201 to the PUT, but then serves nothing there`));
  assert.doesNotMatch(built.stderr + built.stdout, /→ .*answers\/app/, 'no output is reported as published');
  assert.equal(await tagOnRegistry('answers/app', '1'), undefined);

  const layout = join(work, 'layout');
  assert.equal((await ocibake(['build', ctx, '-o', `type=oci,dest=${layout}`, '-t', 'app:1', '-q'], { env })).code, 0);
  const pushed = await ocibake(['push', `${layout}:1`, `${proxy.host}/answers/pushed:1`, '--progress', 'plain'], { env });
  assert.equal(cleanFailure(pushed), undefined);
  assert.match(pushed.stderr, new RegExp(`error: .*${proxy.host}/answers/pushed.*answered 201`));
  assert.equal(await tagOnRegistry('answers/pushed', '1'), undefined);
  proxy.reset();

  // The same push through an honest registry works and is confirmed.
  const honest = await ocibake(['push', `${layout}:1`, `${reg.host}/answers/pushed:1`, '--progress', 'quiet'], { env });
  assert.equal(honest.code, 0, honest.stderr);
  assert.ok(await tagOnRegistry('answers/pushed', '1'));
});

test('pull --timeout 2 through a body that stalls mid-download: resumed after the idle timeout', { timeout: 45_000 }, async () => {
  const layer = img.blobs[0]!.descriptor;
  proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes(`/blobs/${layer.digest}`), fault: { kind: 'stall-mid-body', afterBytes: 300_000 }, times: 1 });
  const dest = join(work, 'pulled');
  const run = await ocibake(['pull', `${proxy.host}/answers/base:v1`, '-o', `type=oci,dest=${dest}`, '--timeout', '2', '--progress', 'quiet'], { env });
  assert.equal(run.code, 0, run.stderr);
  assert.equal(proxy.injected(), 1);
  await ociImageToolValidate(dest);
  proxy.reset();
});

test('pull --timeout 1 from a registry whose bodies always stall: a clean error in seconds', { timeout: 45_000 }, async () => {
  proxy.rules.push({ match: (m, p) => m === 'GET' && p.includes('/blobs/'), fault: { kind: 'stall-mid-body', afterBytes: 100 }, times: 1000 });
  const run = await ocibake(
    ['pull', `${proxy.host}/answers/base:v1`, '-o', `type=oci,dest=${join(work, 'stalled')}`, '--timeout', '1', '--progress', 'quiet'],
    { env },
  );
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, new RegExp(`${proxy.host}`));
  proxy.reset();
});
