// SIGKILL during writes: a child process writing a blob, a layer, or index.json is killed
// mid-write; afterwards no partial or corrupt blob is visible and index.json is intact.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CacheStore } from '../../lib/store/cache-store.js';
import { OciLayout } from '../../lib/store/oci-layout.js';
import type { Descriptor } from '../../lib/oci/descriptor.js';
import { tempDir } from '../harness/tmp.js';

const childScript = fileURLToPath(new URL('./outputs-child.js', import.meta.url));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) c.kill('SIGKILL');
});

function start(args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [childScript, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.add(child);
  const lines: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
  return { child, lines, exited };
}

async function until(cond: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function tmpBytes(dir: string): number {
  const tmp = join(dir, 'tmp');
  if (!existsSync(tmp)) return 0;
  return readdirSync(tmp).reduce((n, f) => n + (existsSync(join(tmp, f)) ? statSync(join(tmp, f)).size : 0), 0);
}

const blobs = (dir: string): string[] => (existsSync(join(dir, 'blobs', 'sha256')) ? readdirSync(join(dir, 'blobs', 'sha256')) : []);

for (const killAt of [1, 40, 150]) {
  test(`SIGKILL after ${killAt} MB of a 256 MB cache write leaves no blob; a rerun completes`, async () => {
    const dir = tempDir('ocibake-e2e-kill-');
    const run = start(['push', dir, String(256 << 20)]);
    await until(() => run.lines.length > 0, 'the descriptor');
    const desc = JSON.parse(run.lines[0]!) as Descriptor;
    await until(() => tmpBytes(dir) >= killAt << 20 || run.lines.includes('done'), `${killAt} MB written`);
    run.child.kill('SIGKILL');
    await run.exited;
    assert.ok(!run.lines.includes('done'), 'the write finished before the kill; the test proves nothing');
    assert.deepEqual(blobs(dir), [], 'a partial blob became visible');
    const store = new CacheStore({ dir });
    assert.equal(await store.exists(desc), false);
    assert.deepEqual(await store.list(), []);
    const left = readdirSync(join(dir, 'tmp')).filter((f) => f.startsWith(`ingest-${run.child.pid}-`));
    assert.equal(left.length, 1, 'the killed writer left its temp file');
    // Age it past the one-minute guard so the next writer treats it as abandoned.
    const old = new Date(Date.now() - 120_000);
    utimesSync(join(dir, 'tmp', left[0]!), old, old);
    const rerun = start(['push', dir, String(256 << 20)]);
    assert.equal(await rerun.exited, 0);
    assert.deepEqual(readdirSync(join(dir, 'tmp')), [], "the next writer removed the dead writer's temp file");
    assert.deepEqual(await store.list(), [desc.digest]);
    assert.equal(await store.exists(desc), true);
  });
}

test('SIGKILL during writeLayer leaves no layer blob behind', async () => {
  const dir = tempDir('ocibake-e2e-kill-layer-');
  const run = start(['layer', dir, String(512 << 20)]);
  await until(() => tmpBytes(dir) >= 8 << 20, '8 MB of layer written');
  run.child.kill('SIGKILL');
  await run.exited;
  assert.deepEqual(blobs(dir), []);
});

test('SIGKILL while tagging never leaves a torn index.json', async () => {
  const dir = tempDir('ocibake-e2e-kill-tag-');
  for (const delay of [5, 37, 80]) {
    const run = start(['tag', dir]);
    await until(() => run.lines.includes('running'), 'the tag loop');
    await new Promise((r) => setTimeout(r, delay));
    run.child.kill('SIGKILL');
    await run.exited;
    const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as { manifests: Descriptor[] };
    assert.ok(index.manifests.length >= 1 && index.manifests.length <= 5);
    const layout = await OciLayout.open(dir, { create: false });
    for (const m of index.manifests) assert.equal(await layout.exists(m), true, `index.json names a missing blob ${m.digest}`);
  }
});
