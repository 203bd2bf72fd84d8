import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerignore } from '../../../../lib/dockerfile/dockerignore.js';
import type { RunMount } from '../../../../lib/dockerfile/instructions.js';
import { ExecError } from '../../../../lib/exec/errors.js';
import { cacheMountDir } from '../../../../lib/exec/run-mounts.js';
import { SecretStore } from '../../../../lib/exec/secrets.js';
import type { SandboxCaps } from '../../../../lib/sandbox/caps.js';
import { runInSandbox } from '../../../../lib/sandbox/run.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';
import { ChainView } from '../../../../lib/snapshot/chain-view.js';
import { emptyCounts, writeMeta } from '../../../../lib/snapshot/meta.js';
import { CacheLocks, runMounts, type MountSourceFs, type RunMountContext } from '../../../../lib/stages/run-mounts.js';
import { tempDir } from '../../../harness/tmp.js';
import { busyboxRootfs, mountsUnder, processesMentioning } from '../sandbox/busybox-rootfs.js';

const work = tempDir('ocibake-run-mounts-');
after(() => {
  assert.deepEqual(mountsUnder(work), [], 'no mount is left behind');
  assert.deepEqual(processesMentioning(work), [], 'no process is left behind');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A snapshot dir (fs/ and meta.json) whose fs/ `fill` populates. */
async function snapshot(fill: (fs: string) => void): Promise<string> {
  const dir = mkdtempSync(join(work, 'snap-'));
  mkdirSync(join(dir, 'fs'));
  fill(join(dir, 'fs'));
  await writeMeta(join(dir, 'meta.json'), {
    version: 1,
    mode: 'root',
    opaque: [],
    whiteouts: [],
    skippedDevices: [],
    skippedXattrs: [],
    unmappedOwners: 0,
    counts: emptyCounts(),
  });
  return dir;
}

// The stage: /app (WORKDIR), /var/cache → /srv/cache (absolute symlink), /run.
const stageDir = await snapshot((fs) => {
  mkdirSync(join(fs, 'app'));
  mkdirSync(join(fs, 'srv/cache'), { recursive: true });
  mkdirSync(join(fs, 'var'));
  symlinkSync('/srv/cache', join(fs, 'var/cache'));
  mkdirSync(join(fs, 'run'));
});
const stageView = await ChainView.open([stageDir]);
// Another stage a bind mount reads (from=).
const otherDir = await snapshot((fs) => {
  mkdirSync(join(fs, 'out/bin'), { recursive: true });
  writeFileSync(join(fs, 'out/bin/tool'), 'tool\n');
});
const other: MountSourceFs = { dirs: [join(otherDir, 'fs')], view: await ChainView.open([otherDir]), label: 'stage build' };

const contextDir = mkdtempSync(join(work, 'context-'));
writeFileSync(join(contextDir, 'main.go'), 'package main\n');
writeFileSync(join(contextDir, 'debug.log'), 'x\n');
mkdirSync(join(contextDir, 'src'));
writeFileSync(join(contextDir, 'src/a.go'), 'package a\n');

function ctx(o: Partial<RunMountContext> = {}): RunMountContext {
  return {
    view: stageView,
    workdir: '/app',
    scratch: mkdtempSync(join(work, 'scratch-')),
    cacheMountsDir: join(work, 'cache-mounts'),
    contextDir,
    ignore: parseDockerignore(''),
    secrets: new SecretStore(new Map([['tok', { env: 'OCIBAKE_TEST_TOKEN' }]]), { OCIBAKE_TEST_TOKEN: 's3cr3t-value' }),
    from: async () => other,
    locks: new CacheLocks(),
    ...o,
  };
}

// --- CacheLocks --------------------------------------------------------------------------------

/** Two (or more) holders that each take the lock, "work" for `ms`, and log when they started and ended. */
async function holders(locks: CacheLocks, dir: string, sharing: 'shared' | 'private' | 'locked', names: string[], ms = 120) {
  const log: { name: string; at: 'start' | 'end'; t: number; dir: string }[] = [];
  await Promise.all(
    names.map(async (name, i) => {
      await sleep(i * 10); // asked in this order
      const lease = await locks.acquire(dir, sharing, join(work, 'private'));
      log.push({ name, at: 'start', t: performance.now(), dir: lease.dir });
      await sleep(ms);
      log.push({ name, at: 'end', t: performance.now(), dir: lease.dir });
      lease.release();
    }),
  );
  return log;
}

test('CacheLocks: sharing=locked serialises holders of one dir, first come first served', async () => {
  const dir = join(work, 'locked-cache');
  const log = await holders(new CacheLocks(), dir, 'locked', ['A', 'B', 'C']);
  assert.deepEqual(
    log.map((e) => `${e.name} ${e.at}`),
    ['A start', 'A end', 'B start', 'B end', 'C start', 'C end'],
  );
  for (let i = 2; i < log.length; i += 2) assert.ok(log[i]!.t >= log[i - 1]!.t, `${log[i]!.name} started after ${log[i - 1]!.name} ended`);
  assert.ok(log.at(-1)!.t - log[0]!.t >= 3 * 120 - 5, 'three holders one after another take three times as long');
  assert.deepEqual(new Set(log.map((e) => e.dir)), new Set([dir]), 'every holder gets the one shared dir');
});

test('CacheLocks: control: sharing=shared lets holders overlap (the timing above would catch a lock that does not hold)', async () => {
  const dir = join(work, 'shared-cache');
  const log = await holders(new CacheLocks(), dir, 'shared', ['A', 'B']);
  assert.deepEqual(
    log.map((e) => `${e.name} ${e.at}`),
    ['A start', 'B start', 'A end', 'B end'],
  );
  assert.deepEqual(new Set(log.map((e) => e.dir)), new Set([dir]));
});

test('CacheLocks: a locked dir does not block another dir, nor another CacheLocks (each build has one)', async () => {
  const locks = new CacheLocks();
  const a = await locks.acquire(join(work, 'x'), 'locked', work);
  const t0 = performance.now();
  const b = await locks.acquire(join(work, 'y'), 'locked', work);
  const c = await new CacheLocks().acquire(join(work, 'x'), 'locked', work);
  assert.ok(performance.now() - t0 < 50);
  let got = false;
  const d = locks.acquire(join(work, 'x'), 'locked', work).then((l) => ((got = true), l));
  await sleep(50);
  assert.equal(got, false, 'the same dir on the same locks waits');
  a.release();
  (await d).release();
  b.release();
  c.release();
});

test('CacheLocks: sharing=private gets a fresh dir of its own while the shared one is in use, the shared one once it is free', async () => {
  const locks = new CacheLocks();
  const dir = join(work, 'private-cache');
  const scratch = mkdtempSync(join(work, 'pscratch-'));
  const first = await locks.acquire(dir, 'shared', scratch);
  assert.equal(first.dir, dir);
  const mine = await locks.acquire(dir, 'private', scratch);
  assert.notEqual(mine.dir, dir);
  assert.match(mine.dir, new RegExp(`^${scratch}/private-cache-`));
  assert.deepEqual(readdirSync(mine.dir), [], 'empty, made in the RUN scratch dir');
  const another = await locks.acquire(dir, 'private', scratch);
  assert.notEqual(another.dir, mine.dir, 'two private users never share');
  mine.release();
  another.release();
  first.release();
  const free = await locks.acquire(dir, 'private', scratch);
  assert.equal(free.dir, dir, 'nobody uses it now');
  const whileHeldPrivately = await locks.acquire(dir, 'private', scratch);
  assert.notEqual(whileHeldPrivately.dir, dir, 'a private holder counts as a user too');
  free.release();
});

// --- runMounts ---------------------------------------------------------------------------------

test('runMounts: cache mounts: one dir per id (or target), targets resolved in the stage, owner, mode and readonly passed on', async () => {
  const c = ctx();
  const mounts: RunMount[] = [
    { type: 'cache', target: '/var/cache/apt', id: 'apt', readonly: false, uid: 1001, mode: 0o750 },
    { type: 'cache', target: 'node_modules/.cache', readonly: true },
    { type: 'cache', target: '/other', id: 'apt', readonly: false, gid: 50 },
  ];
  const r = await runMounts(mounts, c);
  const apt = cacheMountDir(c.cacheMountsDir, { id: 'apt', target: '/var/cache/apt' });
  assert.deepEqual(r.mounts, [
    { kind: 'bind', source: apt, target: '/srv/cache/apt', file: false, readonly: false, owner: { uid: 1001, gid: 0 }, mode: 0o750 },
    {
      kind: 'bind',
      source: cacheMountDir(c.cacheMountsDir, { target: 'node_modules/.cache' }),
      target: '/app/node_modules/.cache',
      file: false,
      readonly: true,
      owner: undefined,
      mode: undefined,
    },
    { kind: 'bind', source: apt, target: '/other', file: false, readonly: false, owner: { uid: 0, gid: 50 }, mode: undefined },
  ]);
  assert.ok(statSync(apt).isDirectory(), 'the cache dir is made');
  assert.deepEqual(r.env, {});
  r.release();
});

test('runMounts: a locked cache mount holds its lock until release(): a second RUN waits', async () => {
  const locks = new CacheLocks();
  const m: RunMount[] = [{ type: 'cache', target: '/c', id: 'lk', sharing: 'locked', readonly: false }];
  const first = await runMounts(m, ctx({ locks }));
  let waiting = true;
  const p = runMounts(m, ctx({ locks })).then((r) => ((waiting = false), r));
  await sleep(60);
  assert.equal(waiting, true, 'still waiting');
  first.release();
  (await p).release();
  assert.equal(waiting, false);
});

test('runMounts: sharing=locked really serialises two concurrent RUN processes on one cache (and shared does not)', async () => {
  const tools = findHostTools().tools!;
  const caps: SandboxCaps = { mode: 'root', cow: 'overlay', tools, overlayOptions: '', notes: [] };
  const rootfs = busyboxRootfs(join(work, 'busybox'));
  // Each RUN marks the cache busy for a while and records whether someone else had marked it.
  const script = '[ -e /cache/busy ] && echo overlap >> /cache/log; touch /cache/busy; sleep 1; rm /cache/busy; echo done >> /cache/log';
  const both = async (sharing: 'locked' | 'shared', id: string) => {
    const locks = new CacheLocks();
    const oneRun = async () => {
      const c = ctx({ locks, view: stageView, workdir: '/' });
      const r = await runMounts([{ type: 'cache', target: '/cache', id, sharing, readonly: false }], c);
      try {
        const res = await runInSandbox({
          caps,
          lowers: [rootfs],
          scratch: c.scratch,
          argv: ['/bin/sh', '-c', script],
          cwd: '/',
          env: { PATH: '/bin' },
          mounts: r.mounts,
          network: 'default',
          resolvConfTarget: '/etc/resolv.conf',
          hostsTarget: '/etc/hosts',
          imageHasShell: true,
          onStdout: () => {},
          onStderr: () => {},
        });
        assert.equal(res.exitCode, 0);
      } finally {
        r.release();
      }
    };
    await Promise.all([oneRun(), oneRun()]);
    return readFileSync(join(cacheMountDir(join(work, 'cache-mounts'), { id, target: '/cache' }), 'log'), 'utf8');
  };
  assert.equal(await both('locked', 'serial'), 'done\ndone\n');
  assert.equal(await both('shared', 'parallel'), 'overlap\ndone\ndone\n', 'control: shared RUNs do overlap');
});

test('runMounts: secret files: only in the RUN scratch dir (0600), at /run/secrets/<id> by default, read-only, 0400 root-owned unless asked', async () => {
  const c = ctx();
  const r = await runMounts(
    [
      { type: 'secret', id: 'tok', required: false },
      { type: 'secret', id: 'tok', target: 'conf/token', required: true, uid: 1001, gid: 1001, mode: 0o440 },
    ],
    c,
  );
  const [a, b] = r.mounts;
  assert.deepEqual(a, {
    kind: 'bind',
    source: join(c.scratch, 'secrets', 's0'),
    target: '/run/secrets/tok',
    file: true,
    readonly: true,
    owner: { uid: 0, gid: 0 },
    mode: 0o400,
  });
  assert.deepEqual(b, {
    kind: 'bind',
    source: join(c.scratch, 'secrets', 's1'),
    target: '/app/conf/token',
    file: true,
    readonly: true,
    owner: { uid: 1001, gid: 1001 },
    mode: 0o440,
  });
  for (const m of [a, b]) {
    assert.equal(m?.kind, 'bind');
    if (m?.kind !== 'bind') continue;
    assert.equal(readFileSync(m.source, 'utf8'), 's3cr3t-value');
    assert.equal(statSync(m.source).mode & 0o777, 0o600);
  }
  assert.equal(statSync(join(c.scratch, 'secrets')).mode & 0o777, 0o700);
  assert.deepEqual(r.env, {}, 'a file secret is not in the environment');
});

test('runMounts: secret env: the value as a variable, and a file only when a target is given too', async () => {
  const c = ctx();
  const envOnly = await runMounts([{ type: 'secret', id: 'tok', env: 'TOKEN', required: false }], c);
  assert.deepEqual(envOnly.mounts, []);
  assert.deepEqual(envOnly.env, { TOKEN: 's3cr3t-value' });
  assert.equal(existsSync(join(c.scratch, 'secrets')), false, 'nothing written');
  const both = await runMounts([{ type: 'secret', id: 'tok', env: 'TOKEN', target: '/t', required: false }], ctx());
  assert.deepEqual(both.env, { TOKEN: 's3cr3t-value' });
  assert.equal(both.mounts.length, 1);
  assert.equal(both.mounts[0]?.target, '/t');
});

test('runMounts: a secret that was not given is skipped, or an OCIBAKE_SECRET error when required', async () => {
  const r = await runMounts([{ type: 'secret', id: 'nope', required: false }], ctx());
  assert.deepEqual(r.mounts, []);
  await assert.rejects(
    runMounts([{ type: 'secret', id: 'nope', required: true }], ctx()),
    (e: unknown) =>
      e instanceof ExecError && e.code === 'OCIBAKE_SECRET' && /secret "nope" is required/.test(e.message) && /--secret id=nope,src=FILE/.test(e.hint ?? ''),
  );
});

test('runMounts: a bind of the context defaults to the whole context at WORKDIR, read-only', async () => {
  const r = await runMounts([{ type: 'bind', target: '', readwrite: false }], ctx());
  assert.deepEqual(r.mounts, [{ kind: 'bind', source: realpathSync(contextDir), target: '/app', file: false, readonly: true }]);
  const file = await runMounts([{ type: 'bind', target: '/src/main.go', source: 'main.go', readwrite: false }], ctx());
  assert.deepEqual(file.mounts, [{ kind: 'bind', source: join(realpathSync(contextDir), 'main.go'), target: '/src/main.go', file: true, readonly: true }]);
});

test('runMounts: a bind of the context with .dockerignore exclusions is an overlay with the mask on top; readwrite adds a throw-away upper', async () => {
  const c = ctx({ ignore: parseDockerignore('*.log\n') });
  const r = await runMounts([{ type: 'bind', target: '/ctx', readwrite: true }], c);
  assert.equal(r.mounts.length, 1);
  const m = r.mounts[0]!;
  assert.equal(m.kind, 'overlay');
  if (m.kind !== 'overlay') return;
  assert.equal(m.target, '/ctx');
  assert.deepEqual(m.lowers, [join(c.scratch, 'm0', 'l0'), join(c.scratch, 'm0', 'l1')]);
  assert.equal(readlinkSync(m.lowers[0]!), realpathSync(contextDir), 'the context lowest');
  assert.equal(readlinkSync(m.lowers[1]!), join(c.scratch, 'mask0'), 'the mask above it');
  assert.ok(statSync(join(c.scratch, 'mask0', 'debug.log')).isCharacterDevice());
  assert.deepEqual(m.upper, { upper: join(c.scratch, 'rw0', 'upper'), work: join(c.scratch, 'rw0', 'work') });
  assert.ok(statSync(m.upper.upper).isDirectory() && statSync(m.upper.work).isDirectory());
  assert.equal(m.subpath, undefined);
  // Writable without exclusions: the context alone as the lower.
  const rw = await runMounts([{ type: 'bind', target: '/ctx', readwrite: true }], ctx());
  assert.equal(rw.mounts[0]?.kind, 'overlay');
  if (rw.mounts[0]?.kind === 'overlay') assert.deepEqual(rw.mounts[0].lowers, [realpathSync(contextDir)]);
});

test('runMounts: a bind from another stage: its layers, the sub path bound from a staging dir; a missing source is an error', async () => {
  const c = ctx();
  const asked: number[] = [];
  const from = async (i: number) => (asked.push(i), other);
  const r = await runMounts(
    [
      { type: 'tmpfs', target: '/t' },
      { type: 'bind', target: '/usr/local/bin', source: 'out/bin', from: 'build', readwrite: false },
      { type: 'bind', target: '/all', from: 'build', readwrite: false },
    ],
    { ...c, from },
  );
  assert.deepEqual(asked, [1, 2], 'by mount position');
  assert.deepEqual(r.mounts[1], {
    kind: 'overlay',
    lowers: [join(c.scratch, 'm1', 'l0')],
    target: '/usr/local/bin',
    upper: undefined,
    subpath: { path: '/out/bin', staging: join(c.scratch, 'staging1') },
  });
  assert.equal(readlinkSync(join(c.scratch, 'm1', 'l0')), join(otherDir, 'fs'));
  assert.ok(statSync(join(c.scratch, 'staging1')).isDirectory());
  assert.deepEqual(r.mounts[2], { kind: 'overlay', lowers: [join(c.scratch, 'm2', 'l0')], target: '/all', upper: undefined, subpath: undefined });
  await assert.rejects(
    runMounts([{ type: 'bind', target: '/x', source: 'no/such', from: 'build', readwrite: false }], ctx()),
    (e: unknown) => e instanceof ExecError && /source no\/such not found in stage build/.test(e.message),
  );
});

test('runMounts: tmpfs at its target with its size', async () => {
  const r = await runMounts(
    [
      { type: 'tmpfs', target: 'tmp', size: 1 << 20 },
      { type: 'tmpfs', target: '/var/cache/t' },
    ],
    ctx(),
  );
  assert.deepEqual(r.mounts, [
    { kind: 'tmpfs', target: '/app/tmp', size: 1 << 20 },
    { kind: 'tmpfs', target: '/srv/cache/t', size: undefined },
  ]);
});

test('runMounts: ssh without an agent is skipped, or an error that says to start one when required; with one, the socket and SSH_AUTH_SOCK', async () => {
  const saved = process.env['SSH_AUTH_SOCK'];
  try {
    delete process.env['SSH_AUTH_SOCK'];
    assert.deepEqual((await runMounts([{ type: 'ssh', required: false }], ctx())).mounts, []);
    await assert.rejects(
      runMounts([{ type: 'ssh', required: true }], ctx()),
      (e: unknown) =>
        e instanceof ExecError &&
        e.code === 'OCIBAKE_EXEC' &&
        /needs an SSH agent, and SSH_AUTH_SOCK is not set/.test(e.message) &&
        /ssh-agent/.test(e.hint ?? ''),
    );
    process.env['SSH_AUTH_SOCK'] = '/tmp/agent.sock';
    const r = await runMounts(
      [
        { type: 'tmpfs', target: '/x' },
        { type: 'ssh', required: true },
        { type: 'ssh', target: '/run/my.sock', required: false },
      ],
      ctx(),
    );
    assert.deepEqual(r.mounts.slice(1), [
      { kind: 'bind', source: '/tmp/agent.sock', target: '/run/buildkit/ssh_agent.1', file: true, readonly: false },
      { kind: 'bind', source: '/tmp/agent.sock', target: '/run/my.sock', file: true, readonly: false },
    ]);
    assert.deepEqual(r.env, { SSH_AUTH_SOCK: '/run/my.sock' }, 'the last ssh mount names the agent');
  } finally {
    if (saved === undefined) delete process.env['SSH_AUTH_SOCK'];
    else process.env['SSH_AUTH_SOCK'] = saved;
  }
});

test('runMounts: release() gives back every cache lease: a private mount after it gets the shared dir', async () => {
  const locks = new CacheLocks();
  const c = ctx({ locks });
  const a = await runMounts([{ type: 'cache', target: '/c', id: 'rel', readonly: false }], c);
  const during = await runMounts([{ type: 'cache', target: '/c', id: 'rel', sharing: 'private', readonly: false }], ctx({ locks }));
  assert.notEqual(during.mounts[0]?.kind === 'bind' && during.mounts[0].source, cacheMountDir(c.cacheMountsDir, { id: 'rel', target: '/c' }));
  a.release();
  during.release();
  const afterwards = await runMounts([{ type: 'cache', target: '/c', id: 'rel', sharing: 'private', readonly: false }], ctx({ locks }));
  assert.equal(afterwards.mounts[0]?.kind === 'bind' && afterwards.mounts[0].source, cacheMountDir(c.cacheMountsDir, { id: 'rel', target: '/c' }));
  afterwards.release();
});

test('runMounts: a mount that fails gives back the cache leases taken before it (a locked cache would wait forever)', async () => {
  const locks = new CacheLocks();
  const cache: RunMount = { type: 'cache', target: '/c', id: 'leak', sharing: 'locked', readonly: false };
  await assert.rejects(runMounts([cache, { type: 'secret', id: 'missing', required: true }], ctx({ locks })), /secret "missing" is required/);
  const next = await Promise.race([runMounts([cache], ctx({ locks })), sleep(2000).then(() => 'still waiting' as const)]);
  assert.notEqual(next, 'still waiting', 'the next RUN gets the lock');
  if (next !== 'still waiting') next.release();
  // And a shared lease: a private mount afterwards gets the shared dir, so nobody holds it.
  const c = ctx({ locks });
  await assert.rejects(
    runMounts(
      [
        { type: 'cache', target: '/s', id: 'leak2', readonly: false },
        { type: 'bind', target: '/x', source: 'nope', from: 'build', readwrite: false },
      ],
      c,
    ),
  );
  const priv = await runMounts([{ type: 'cache', target: '/s', id: 'leak2', sharing: 'private', readonly: false }], ctx({ locks }));
  assert.equal(priv.mounts[0]?.kind === 'bind' && priv.mounts[0].source, cacheMountDir(c.cacheMountsDir, { id: 'leak2', target: '/s' }));
  priv.release();
});
