// Issue 13, item 2: concurrent writers into one OCI layout. Builds run as separate processes
// through the CLI; every tag must end up pointing at what its build printed, the layout must
// validate, and nothing of ocibake's (temp files, locks) may stay in it. A writer killed with
// SIGKILL leaves nothing in the layout when ocibake's cache is on the same filesystem, and only
// its own temp directory (swept later) when it is not; one process's tidy never removes another's.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ocibake } from '../harness/cli.js';
import { tempDir } from '../harness/tmp.js';
import { ociImageToolValidate } from '../harness/verify.js';
import { OciLayout, REF_NAME_ANNOTATION } from '../../lib/store/oci-layout.js';
import type { Index } from '../../lib/oci/manifest.js';

const child = fileURLToPath(new URL('./issue-13-layout-child.js', import.meta.url));
const running = new Set<ChildProcess>();
after(() => {
  for (const c of running) c.kill('SIGKILL');
});

function tagsOf(dir: string): Map<string, string> {
  const index = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as Index;
  return new Map(index.manifests.map((m) => [m.annotations?.[REF_NAME_ANNOTATION] ?? '', m.digest]));
}

test('eight builds tagging into one layout at once: every tag points at what its build printed', async () => {
  const work = tempDir('ocibake-regress-13-');
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'a.txt'), 'a\n');
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nARG N\nCOPY a.txt /a-$N\n');
  const out = join(work, 'out');
  const env = { OCIBAKE_CACHE: join(work, 'cache') };
  for (const round of [1, 2]) {
    // Round 2 re-tags the same names with new images: replaced in place, none lost.
    const runs = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        ocibake(['build', ctx, '-o', `type=oci,dest=${out}`, '-t', `app:t${i}`, '--build-arg', `N=${round}-${i}`, '-q'], { env }),
      ),
    );
    const tags = tagsOf(out);
    runs.forEach((r, i) => {
      assert.equal(r.code, 0, `build ${i} of round ${round}: ${r.stderr}`);
      assert.equal(tags.get(`t${i}`), r.stdout.trim(), `tag t${i} of round ${round} points at what its build printed`);
    });
    assert.equal(tags.size, 8);
    assert.deepEqual(readdirSync(out).sort(), ['blobs', 'index.json', 'oci-layout'], 'no temp files or locks left in the layout');
  }
  await ociImageToolValidate(out);
  const tmp = join(work, 'cache', 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'no temp files left in the cache');
});

function start(args: string[]): { proc: ChildProcess; lines: string[]; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [child, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  running.add(proc);
  const lines: string[] = [];
  proc.stdout.setEncoding('utf8').on('data', (d: string) => lines.push(...d.split('\n').filter(Boolean)));
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => (running.delete(proc), resolve(code))));
  return { proc, lines, exited };
}

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const sizeUnder = (dir: string): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);

test('SIGKILL mid-write leaves nothing in the layout when the cache shares its filesystem', async () => {
  const work = tempDir('ocibake-regress-13-kill-');
  const out = join(work, 'out');
  const scratch = join(work, 'cache', 'tmp');
  await OciLayout.open(out);
  const run = start(['write', out, scratch, String(64 << 20), 'killed']);
  await until(() => run.lines.some((l) => l.startsWith('started')) && existsSync(scratch) && sizeUnder(scratch) > 2 << 20, 'the write to be under way');
  run.proc.kill('SIGKILL');
  await run.exited;
  assert.deepEqual(readdirSync(out).sort(), ['blobs', 'index.json', 'oci-layout']);
  assert.deepEqual(readdirSync(join(out, 'blobs', 'sha256')), []);
  assert.equal(readdirSync(scratch).length, 1, "the partial file is in ocibake's cache, not the layout");
});

test('on another filesystem a killed writer leaves only its own temp dir, swept once it is a minute old', async (t) => {
  if (!existsSync('/dev/shm')) return t.skip('no /dev/shm to stand for another filesystem');
  const shm = mkdtempSync('/dev/shm/ocibake-regress-13-');
  after(() => rmSync(shm, { recursive: true, force: true }));
  const work = tempDir('ocibake-regress-13-xdev-');
  const out = join(work, 'out');
  await OciLayout.open(out);
  const run = start(['write', out, shm, String(64 << 20), 'killed']);
  const own = `.ocibake-tmp-${run.proc.pid}-`;
  await until(() => readdirSync(out).some((n) => n.startsWith(own) && sizeUnder(join(out, n)) > 2 << 20), 'the write to be under way');
  run.proc.kill('SIGKILL');
  await run.exited;
  const left = readdirSync(out).filter((n) => n.startsWith('.ocibake'));
  assert.equal(left.length, 1);
  assert.ok(left[0]!.startsWith(own), `only the killed writer's own temp dir: ${left.join(', ')}`);
  // A fresh one is kept (its owner might be a writer in another pid namespace); an old one goes.
  const again = start(['write', out, shm, String(1 << 20), 'next']);
  assert.equal(await again.exited, 0);
  assert.ok(readdirSync(out).includes(left[0]!));
  const old = new Date(Date.now() - 120_000);
  const dir = join(out, left[0]!);
  for (const n of readdirSync(dir)) utimesSync(join(dir, n), old, old);
  utimesSync(dir, old, old);
  const third = start(['write', out, shm, String(1 << 20), 'third']);
  assert.equal(await third.exited, 0);
  assert.deepEqual(readdirSync(out).sort(), ['blobs', 'index.json', 'oci-layout']);
  assert.deepEqual([...tagsOf(out).keys()].sort(), ['next', 'third']);
});

test("a writer's tidy never removes the temp dir another process is writing into", async (t) => {
  if (!existsSync('/dev/shm')) return t.skip('no /dev/shm to stand for another filesystem');
  const shm = mkdtempSync('/dev/shm/ocibake-regress-13-');
  after(() => rmSync(shm, { recursive: true, force: true }));
  const work = tempDir('ocibake-regress-13-tidy-');
  const out = join(work, 'out');
  await OciLayout.open(out);
  // The cache on another filesystem: every writer uses a temp dir inside the layout, the case
  // that used to fail with ENOENT when one writer's tidy removed the shared `.ocibake-tmp`.
  const slow = start(['write', out, shm, String(24 << 20), 'slow']);
  await until(() => readdirSync(out).some((n) => n.startsWith(`.ocibake-tmp-${slow.proc.pid}-`)), 'the slow writer to start');
  for (const tag of ['quick1', 'quick2', 'quick3']) assert.equal(await start(['write', out, shm, String(1 << 20), tag]).exited, 0);
  assert.equal(await slow.exited, 0, 'the slow writer finished although others tidied meanwhile');
  assert.deepEqual([...tagsOf(out).keys()].sort(), ['quick1', 'quick2', 'quick3', 'slow']);
  assert.deepEqual(readdirSync(out).sort(), ['blobs', 'index.json', 'oci-layout']);
});
