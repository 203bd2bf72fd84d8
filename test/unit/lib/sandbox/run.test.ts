import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SandboxCaps } from '../../../../lib/sandbox/caps.js';
import { SandboxError } from '../../../../lib/sandbox/errors.js';
import { runInSandbox, type SandboxRun } from '../../../../lib/sandbox/run.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';
import { tempDir } from '../../../harness/tmp.js';
import { busyboxRootfs, mountsUnder, processesMentioning } from './busybox-rootfs.js';

const tools = findHostTools().tools!;
const caps: SandboxCaps = { mode: 'root', cow: 'overlay', tools, overlayOptions: '', notes: [] };
const work = tempDir('ocibake-run-');
after(() => {
  assert.deepEqual(mountsUnder(work), [], 'no mount is left behind');
  assert.deepEqual(processesMentioning(work), [], 'no process of a sandbox is left behind');
});

const base = busyboxRootfs(join(work, 'base'));
const layer1 = join(work, 'layer1');
mkdirSync(join(layer1, 'etc'), { recursive: true });
writeFileSync(join(layer1, 'etc/os-release'), 'ID=tiny\n');

/** A RUN of `script` (through the image's /bin/sh) with its output collected. */
function sandboxRun(script: string, o: Partial<SandboxRun> = {}): { run: SandboxRun; out: () => string; err: () => string } {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  const run: SandboxRun = {
    caps,
    lowers: [base, layer1],
    scratch: mkdtempSync(join(work, 'scratch-')),
    argv: ['/bin/sh', '-c', script],
    cwd: '/',
    env: { PATH: '/bin' },
    mounts: [],
    network: 'default',
    resolvConfTarget: '/etc/resolv.conf',
    hostsTarget: '/etc/hosts',
    imageHasShell: true,
    onStdout: (c) => out.push(c),
    onStderr: (c) => err.push(c),
    ...o,
  };
  return { run, out: () => Buffer.concat(out).toString('utf8'), err: () => Buffer.concat(err).toString('utf8') };
}

test('runInSandbox: output streamed, exit 0, writes in the upper dir, the stubs it made listed', async () => {
  const { run, out, err } = sandboxRun(
    'cat /etc/os-release; echo to-stderr >&2; echo made > /made; cat /etc/hosts; echo "resolv=$(cat /etc/resolv.conf | head -n 1)"',
  );
  const r = await runInSandbox(run);
  assert.deepEqual({ exitCode: r.exitCode, signal: r.signal }, { exitCode: 0, signal: null });
  assert.match(out(), /^ID=tiny\n/);
  assert.equal(err(), 'to-stderr\n');
  assert.equal(r.upper, join(run.scratch, 'upper'));
  assert.equal(readFileSync(join(r.upper, 'made'), 'utf8'), 'made\n');
  assert.deepEqual(r.stubs, ['/etc/resolv.conf', '/etc/hosts']);
  // BuildKit's /etc/hosts, and a copy of the host's resolv.conf.
  assert.ok(out().includes('127.0.0.1\tlocalhost buildkitsandbox\n::1\tlocalhost ip6-localhost ip6-loopback\n'));
  const hostFirst = readFileSync('/etc/resolv.conf', 'utf8').split('\n')[0];
  assert.ok(out().includes(`resolv=${hostFirst}\n`));
  assert.equal(existsSync(join(base, 'made')), false);
});

test('runInSandbox: a failing command is a result, not an error: its exit code (128+n when killed by a signal)', async () => {
  const failed = await runInSandbox(sandboxRun('echo partial; exit 42').run);
  assert.equal(failed.exitCode, 42);
  assert.equal(failed.signal, null);
  const killed = await runInSandbox(sandboxRun('kill -9 $$').run);
  assert.equal(killed.exitCode, 137);
  const missing = await runInSandbox(sandboxRun('', { argv: ['/no/such/program'] }).run);
  assert.notEqual(missing.exitCode, 0, 'exec of a missing program fails in the RUN, after setup');
});

test('runInSandbox: exactly the RUN environment, none of the host process', async () => {
  process.env['OCIBAKE_HOST_ONLY'] = 'leak';
  try {
    const { run, out } = sandboxRun('echo "a=$A"; echo "host=${OCIBAKE_HOST_ONLY-unset}"; echo "home=${HOME-unset}"', { env: { PATH: '/bin', A: "x 'y' $z" } });
    await runInSandbox(run);
    assert.equal(out(), "a=x 'y' $z\nhost=unset\nhome=unset\n");
  } finally {
    delete process.env['OCIBAKE_HOST_ONLY'];
  }
});

test('runInSandbox: USER, WORKDIR and --network=none reach the process', async () => {
  const { run, out } = sandboxRun('echo "$(id -u):$(id -g):$(id -G)"; pwd; ls /sys/class/net', {
    user: { uid: 1001, gid: 1001, groups: [1001, 10] },
    cwd: '/home/app',
    network: 'none',
  });
  const r = await runInSandbox(run);
  assert.equal(r.exitCode, 0);
  assert.equal(out(), '1001:1001:1001 10\n/home/app\nlo\n');
});

test('runInSandbox: a root that cannot be set up is a SandboxError with the mount error, the isolation and a hint', async () => {
  const missing = join(work, 'no-such-source');
  const { run, err } = sandboxRun('echo never', { mounts: [{ kind: 'bind', source: missing, target: '/mnt', file: false, readonly: true }] });
  await assert.rejects(runInSandbox(run), (e: unknown) => {
    assert.ok(e instanceof SandboxError);
    assert.equal(e.code, 'OCIBAKE_EXEC');
    assert.match(e.message, /^setting up the RUN's root filesystem failed: /);
    assert.ok(e.message.includes(missing), `the mount error names the source: ${e.message}`);
    assert.ok(!e.message.includes('never'));
    assert.match(e.hint ?? '', /isolation: root, overlay\. Run with --debug for the mount script, or use --executor=host/);
    return true;
  });
  assert.ok(err().includes(missing), 'the setup error was streamed to stderr as well');
  assert.equal(existsSync(join(run.scratch, 'started')), false);
});

test('runInSandbox: a missing lower layer fails setup too', async () => {
  const { run } = sandboxRun('true', { lowers: [base, join(work, 'gone')] });
  await assert.rejects(runInSandbox(run), (e: unknown) => e instanceof SandboxError && /^setting up the RUN's root filesystem failed: .*mount/.test(e.message));
});

test('runInSandbox: a setup failure says the last three lines of stderr, not the first ones', async () => {
  // A pid-1 shell that fails with a lot to say.
  const sh = join(work, 'chatty-sh');
  writeFileSync(sh, '#!/bin/sh\nfor i in 1 2 3 4 5 6 7 8 9 10; do echo "line $i" >&2; done\nexit 1\n', { mode: 0o755 });
  const { run, err } = sandboxRun('true', { caps: { ...caps, tools: { ...tools, sh } } });
  await assert.rejects(
    runInSandbox(run),
    (e: unknown) => e instanceof SandboxError && e.message === "setting up the RUN's root filesystem failed: line 8; line 9; line 10",
  );
  assert.equal(err().split('\n').filter(Boolean).length, 10, 'all of it was streamed');
});

test('runInSandbox: unshare that cannot be started is a SandboxError naming it', async () => {
  const { run } = sandboxRun('true', { caps: { ...caps, tools: { ...tools, setpriv: undefined, unshare: join(work, 'no-unshare') } } });
  await assert.rejects(
    runInSandbox(run),
    (e: unknown) => e instanceof SandboxError && e.code === 'OCIBAKE_EXEC' && e.message.startsWith(`starting ${join(work, 'no-unshare')}: `),
  );
});

test('runInSandbox: cancelling kills the whole RUN at once, and leaves no process or mount', async () => {
  const ac = new AbortController();
  const { run, out } = sandboxRun('echo started; sleep 300 & sleep 301; echo never', { signal: ac.signal });
  const p = runInSandbox(run);
  for (let i = 0; i < 200 && !out().includes('started'); i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(out(), 'started\n');
  const t0 = Date.now();
  ac.abort();
  await assert.rejects(p, (e: unknown) => e instanceof SandboxError && e.code === 'OCIBAKE_ABORTED');
  assert.ok(Date.now() - t0 < 5000, 'at once');
  for (let i = 0; i < 50 && processesMentioning(run.scratch).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.deepEqual(processesMentioning(run.scratch), []);
  assert.deepEqual(processesMentioning('sleep 30'), [], 'the sleeps, started in the background too, are gone');
  assert.deepEqual(mountsUnder(run.scratch), []);
});

test('runInSandbox: an already cancelled build starts nothing', async () => {
  const ac = new AbortController();
  ac.abort();
  const { run } = sandboxRun('touch /x', { signal: ac.signal });
  await assert.rejects(runInSandbox(run), (e: unknown) => e instanceof SandboxError && e.code === 'OCIBAKE_ABORTED');
  assert.equal(existsSync(join(run.scratch, 'started')), false);
});
