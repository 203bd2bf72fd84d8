// `ocibake cache prune` on a real cache made by real builds: entries older than `until` go and
// their builds run again while recent ones stay cached, `--keep-storage` keeps the newest within
// a size, nothing a kept entry needs is removed, a running build's cache is refused, and `--all`
// empties it without breaking the next build.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDir } from '../harness/context-dir.js';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { cleanFailure, cliPath, ocibake } from '../harness/cli.js';

let work: string;
let alpine: string;
let cache: string;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-prune-'));
  cache = join(work, 'cache');
  alpine = await alpineBaseFlag();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const context = (name: string, run: string): string => contextDir(work, name, `FROM alpine:3.20\nRUN ${run}\n`);

async function build(ctx: string): Promise<{ ran: number }> {
  const run = await ocibake(['build', ctx, '--platform', 'linux/amd64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'out')}`, '--progress', 'json'], {
    env: { OCIBAKE_CACHE: cache },
  });
  assert.equal(run.code, 0, run.stderr);
  return { ran: (JSON.parse(run.stdout) as { stats: { stepsRun: number } }).stats.stepsRun };
}

const prune = (args: string[]) => ocibake(['cache', 'prune', '--cache-dir', cache, ...args]);

/** Makes every step record of the cache look last used `hours` ago. */
function age(hours: number): void {
  const t = new Date(Date.now() - hours * 3600e3);
  for (const f of readdirSync(join(cache, 'steps'))) utimesSync(join(cache, 'steps', f), t, t);
}

test('--filter until= removes what was not used within it, and keeps what recent builds need', async () => {
  const old = context('old', 'head -c 300000 /dev/urandom > /old.bin');
  assert.equal((await build(old)).ran, 1);
  age(48);
  const recent = context('recent', 'echo recent > /recent');
  assert.equal((await build(recent)).ran, 1);

  const dry = await prune(['--filter', 'until=24h', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^would remove 1 step result\(s\)/);
  assert.equal((await build(old)).ran, 0, '--dry-run removed nothing');
  age(48);
  assert.equal((await build(recent)).ran, 0);

  const real = await prune(['--filter', 'until=24h']);
  assert.equal(real.code, 0, real.stderr);
  assert.match(real.stdout, /^removed 1 step result\(s\), \d+ base record\(s\), [1-9]\d* blob\(s\)/, 'its layer blob went with it');
  assert.equal((await build(recent)).ran, 0, 'the recent step is still cached, with everything it needs');
  assert.equal((await build(old)).ran, 1, 'the old one runs again');
});

test('--keep-storage keeps the most recently used entries within the size', async () => {
  const big = context('big', 'head -c 2000000 /dev/urandom > /big.bin');
  await build(big);
  age(1);
  const small = context('small', 'echo small > /small');
  await build(small);
  const r = await prune(['--keep-storage', '1MB']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await build(small)).ran, 0, 'the newest entry fits and stays');
  assert.equal((await build(big)).ran, 1, 'the 2 MB one did not fit');
});

test('prune refuses a cache a build is using, and --all empties it without breaking the next build', async () => {
  const slow = context('slow', 'echo prune-wait-marker && sleep 30');
  const child = spawn(
    process.execPath,
    [cliPath, 'build', slow, '--platform', 'linux/amd64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'slow-out')}`, '--progress', 'plain'],
    {
      env: { ...process.env, OCIBAKE_CACHE: cache },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stderr.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes('| prune-wait-marker') || seen.includes('] prune-wait-marker')) resolve();
    });
    child.once('exit', () => reject(new Error(`the build ended early:\n${seen}`)));
  });
  try {
    const refused = await prune(['--all']);
    assert.equal(cleanFailure(refused), undefined);
    assert.match(refused.stderr, /a build \(pid \d+\) is using the cache/);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('close', r));
  }
  const all = await prune(['--all']);
  assert.equal(all.code, 0, all.stderr);
  for (const d of ['steps', 'snapshots/root']) {
    const p = join(cache, d);
    assert.deepEqual(existsSync(p) ? readdirSync(p).filter((n) => n !== '.tmp') : [], [], `${d} is empty`);
  }
  assert.deepEqual(readdirSync(join(cache, 'blobs', 'sha256')), []);
  assert.equal((await build(context('after', 'echo fine > /fine'))).ran, 1, 'the next build starts from nothing and works');
});

test('prune without saying what to keep is refused with the choices', async () => {
  const r = await prune([]);
  assert.equal(cleanFailure(r), undefined);
  assert.match(r.stderr, /hint: give --keep-storage SIZE, --filter until=DURATION, or --all/);
  const bad = await prune(['--keep-storage', 'lots']);
  assert.match(bad.stderr, /invalid --keep-storage "lots"/);
});
