// The rootfs cache's promises: an entry appears whole or not at all (temp + rename), one builder
// per key across processes, and a killed builder's lock and temp file are taken over.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedFile } from '../../harness/rootfs-cache.js';
import { rootfsKey } from '../../harness/debian-image.js';
import { tempDir } from '../../harness/tmp.js';

const cacheModule = fileURLToPath(new URL('../../harness/rootfs-cache.js', import.meta.url));

test('rootfsKey: day, arch, variant and the sorted, de-duplicated package list', () => {
  assert.equal(rootfsKey({ arch: 'amd64' }, 'bookworm', '2026-12-01'), 'bookworm_amd64_minbase_none_2026-12-01.tar');
  assert.equal(
    rootfsKey({ arch: 'arm64', include: ['libc6-dev', 'gcc', 'gcc'] }, 'bookworm', '2026-12-01'),
    'bookworm_arm64_minbase_gcc,libc6-dev_2026-12-01.tar',
  );
  assert.match(
    rootfsKey({ arch: 'amd64', include: Array.from({ length: 20 }, (_, i) => `package-number-${i}`) }, 'bookworm', '2026-12-01'),
    /^bookworm_amd64_minbase_sha256-[0-9a-f]{16}_2026-12-01\.tar$/,
  );
  assert.throws(() => rootfsKey({ arch: 'amd64', include: ['gcc; rm -rf /'] }), /not a Debian package name/);
});

test('cachedFile builds once, then hits; concurrent callers share the one build', async () => {
  const dir = tempDir('ocibake-cache-');
  let builds = 0;
  const build = async (tmp: string) => {
    builds++;
    await new Promise((r) => setTimeout(r, 200));
    writeFileSync(tmp, 'rootfs');
  };
  const [a, b] = await Promise.all([cachedFile(dir, 'k.tar', build), cachedFile(dir, 'k.tar', build)]);
  assert.equal(builds, 1);
  assert.deepEqual([a.cached, b.cached].sort(), [false, true]);
  const c = await cachedFile(dir, 'k.tar', build);
  assert.equal(c.cached, true);
  assert.equal(readFileSync(c.path, 'utf8'), 'rootfs');
  assert.deepEqual(readdirSync(dir), ['k.tar']);
});

test('cachedFile leaves no entry, temp or lock when the build fails', async () => {
  const dir = tempDir('ocibake-cache-');
  await assert.rejects(
    cachedFile(dir, 'k.tar', async (tmp) => {
      writeFileSync(tmp, 'half');
      throw new Error('mirror down');
    }),
    /mirror down/,
  );
  assert.deepEqual(readdirSync(dir), []);
  await assert.rejects(
    cachedFile(dir, 'k.tar', async () => {}),
    /wrote nothing/,
  );
  assert.deepEqual(readdirSync(dir), []);
});

// Runs cachedFile in a child process whose build writes half a file and then hangs.
function hangingBuilder(dir: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    import { writeFileSync } from 'node:fs';
    const { cachedFile } = await import(${JSON.stringify(cacheModule)});
    await cachedFile(${JSON.stringify(dir)}, 'k.tar', async (tmp) => { writeFileSync(tmp, 'half'); console.log('building'); await new Promise(() => setInterval(() => {}, 1000)); });
  `,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve(child));
    child.once('exit', (code) => reject(new Error(`builder exited early (${code})`)));
  });
}

test('a builder killed mid-build leaves no entry; the next caller takes over its lock', async () => {
  const dir = tempDir('ocibake-cache-');
  const child = await hangingBuilder(dir);
  assert.ok(existsSync(join(dir, '.lock-k.tar')));
  // While the builder lives, a second caller waits instead of building too.
  let built = false;
  const waiter = cachedFile(dir, 'k.tar', async (tmp) => {
    built = true;
    writeFileSync(tmp, 'whole');
  });
  await new Promise((r) => setTimeout(r, 600));
  assert.equal(built, false);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.equal(existsSync(join(dir, 'k.tar')), false);
  const r = await waiter;
  assert.equal(built, true);
  assert.equal(r.cached, false);
  assert.equal(readFileSync(r.path, 'utf8'), 'whole');
  assert.deepEqual(readdirSync(dir), ['k.tar'], "the dead builder's temp file and lock are gone");
});
