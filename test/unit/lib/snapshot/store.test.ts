import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { isOcibakeError } from '../../../../lib/errors.js';
import { emptyCounts, type SnapshotMeta } from '../../../../lib/snapshot/meta.js';
import { SnapshotStore } from '../../../../lib/snapshot/store.js';
import { unpackLayerToDiffDir } from '../../../../lib/snapshot/unpack.js';
import { tempDir } from '../../../harness/tmp.js';
import { layerBlob } from './overlay-harness.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const ALPINE = join(here, '..', '..', '..', '..', '..', 'test/fixtures/alpine/alpine-minirootfs-3.20.3-x86_64.tar.gz');
const CHILD = join(here, 'store-child.js');
const find = (dir: string): string =>
  execFileSync('sh', ['-c', `cd "${dir}" && find . -printf '%p %y %m %U:%G %s %T@ %l\\n' | LC_ALL=C sort`], { encoding: 'utf8' });

function reference(): string {
  const dir = tempDir();
  execFileSync('tar', ['-xzpf', ALPINE, '-C', dir, '--numeric-owner']);
  return find(dir);
}

function child(
  root: string,
  id: string,
  slow = false,
): { proc: ReturnType<typeof spawn>; out: Promise<{ code: number | null; signal: string | null; stdout: string }>; started: Promise<void> } {
  const proc = spawn(process.execPath, [CHILD, root, id, ALPINE, ...(slow ? ['slow'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  let onStart: () => void = () => {};
  const started = new Promise<void>((r) => (onStart = r));
  proc.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    if (stdout.includes('building')) onStart();
  });
  const out = new Promise<{ code: number | null; signal: string | null; stdout: string }>((r) =>
    proc.on('close', (code, signal) => r({ code, signal, stdout })),
  );
  return { proc, out, started };
}

const meta = (): SnapshotMeta => ({
  version: 1,
  mode: 'root',
  opaque: [],
  whiteouts: [],
  skippedDevices: [],
  skippedXattrs: [],
  unmappedOwners: 0,
  counts: emptyCounts(),
});

test('SnapshotStore: kill -9 at any moment of a create leaves the id absent or complete, never half', async () => {
  const root = tempDir();
  const ref = reference();
  const store = new SnapshotStore(root, 'root');
  // Killed mid-build (the build is parked after writing part of fs/).
  const c = child(root, 'killed', true);
  await c.started;
  await new Promise((r) => setTimeout(r, 300));
  c.proc.kill('SIGKILL');
  assert.equal((await c.out).signal, 'SIGKILL');
  assert.equal(existsSync(store.path('killed')), false);
  assert.equal(await store.get('killed'), undefined);
  assert.equal(readdirSync(join(root, 'root/.tmp')).length, 1, 'the temp dir is left for sweep');
  assert.equal(await store.sweep(), 1);
  assert.deepEqual(readdirSync(join(root, 'root/.tmp')), []);
  // Killed at random moments of a real unpack: whatever is under the id is whole.
  const outcomes: string[] = [];
  for (const delay of [5, 40, 80, 120, 160, 200, 260, 330, 400, 5000]) {
    const id = `random-${delay}`;
    const k = child(root, id);
    setTimeout(() => k.proc.kill('SIGKILL'), delay);
    const res = await k.out;
    const snap = await store.get(id);
    if (snap) assert.equal(find(snap.fs), ref, `after a kill at ${delay} ms (${res.signal ?? 'finished'})`);
    else assert.equal(res.signal, 'SIGKILL');
    outcomes.push(`${delay}ms:${res.signal ? 'killed' : 'done'}/${snap ? 'complete' : 'absent'}`);
  }
  console.log(`# kill -9 outcomes: ${outcomes.join(' ')}`);
  assert.match(outcomes.at(-1)!, /done\/complete/);
  await store.sweep();
  assert.deepEqual(readdirSync(join(root, 'root/.tmp')), []);
});

test('SnapshotStore: two processes creating the same id both succeed and the result is intact', async () => {
  const root = tempDir();
  const [a, b] = [child(root, 'same'), child(root, 'same')];
  const [ra, rb] = await Promise.all([a.out, b.out]);
  assert.deepEqual([ra.code, rb.code], [0, 0]);
  assert.equal(ra.stdout.split('\n').at(-2), rb.stdout.split('\n').at(-2));
  const snap = (await new SnapshotStore(root, 'root').get('same'))!;
  assert.equal(find(snap.fs), reference());
  assert.equal(snap.meta.counts.entries, 518);
  assert.deepEqual(readdirSync(join(root, 'root/.tmp')), [], 'the loser removed its copy');
});

test('SnapshotStore: create is idempotent, adopt moves a dir in, modes and ids are checked, remove is atomic', async () => {
  const root = tempDir();
  const store = new SnapshotStore(root, 'root');
  let builds = 0;
  const build = async (fs: string): Promise<SnapshotMeta> => {
    builds++;
    return unpackLayerToDiffDir(Readable.from([await layerBlob([{ path: '/x', type: 'file', mode: 0o644, data: Buffer.from('x') }])]), fs, { mode: 'root' });
  };
  const [s1, s2] = await Promise.all([store.create('one', build), store.create('one', build)]);
  assert.equal(builds, 1, 'concurrent creates in one process share the build');
  assert.equal((await store.create('one', build)).dir, s1.dir);
  assert.equal(s1.dir, s2.dir);
  assert.deepEqual(readdirSync(s1.fs), ['x']);

  const scratch = await store.scratch();
  mkdirSync(join(scratch, 'upper'));
  writeFileSync(join(scratch, 'upper/made-by-run'), 'r');
  const adopted = await store.adopt('two', join(scratch, 'upper'), meta());
  assert.deepEqual(readdirSync(adopted.fs), ['made-by-run']);
  assert.equal(existsSync(join(scratch, 'upper')), false, 'moved, not copied');
  mkdirSync(join(scratch, 'again'));
  assert.equal((await store.adopt('two', join(scratch, 'again'), meta())).dir, adopted.dir, 'the existing snapshot wins');

  await assert.rejects(store.create('sha256:abc', build), (e: unknown) => isOcibakeError(e) && e.code === 'OCIBAKE_INVALID_ARGUMENT');
  await assert.rejects(store.adopt('three', scratch, { ...meta(), mode: 'userns' }), /mode userns/);
  await assert.rejects(
    store.create('four', async () => {
      throw new Error('build broke');
    }),
    /build broke/,
  );
  assert.equal(existsSync(store.path('four')), false);
  await store.remove('one');
  assert.equal(await store.get('one'), undefined);
  await store.remove('never-existed');
  assert.equal(await store.sweep(), 0, 'this process is alive: its scratch dir stays');
});
