import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dyingWithParent, findHostTools, type HostTools } from '../../../../lib/sandbox/tools.js';
import { tempDir } from '../../../harness/tmp.js';
import { mountsUnder, processesMentioning } from './busybox-rootfs.js';

const DYING = fileURLToPath(new URL('dying-child.js', import.meta.url));
const TOOLS_CHILD = fileURLToPath(new URL('tools-child.js', import.meta.url));
const root = tempDir('ocibake-tools-');
after(() => assert.deepEqual(mountsUnder(root), []));

const REQUIRED = ['unshare', 'sh', 'mount', 'chroot', 'mkdir', 'touch', 'ln', 'chown', 'chmod'] as const;

test('findHostTools: every required tool (and the optional ones this machine has) as an absolute executable path', () => {
  const r = findHostTools();
  assert.equal(r.missing, undefined);
  const tools = r.tools!;
  for (const name of REQUIRED) {
    const p = tools[name];
    assert.match(p, /^\//, `${name} is absolute`);
    accessSync(p, constants.X_OK);
    const shell = execFileSync('sh', ['-c', `command -v ${name}`], {
      encoding: 'utf8',
      env: { PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin` },
    }).trim();
    assert.equal(realpathSync(p), realpathSync(shell), `${name} is the one the shell finds`);
  }
  // Installed here (see .ci/run): RUN --network=none and the parent-death signal depend on them.
  for (const name of ['ip', 'hostname', 'setpriv', 'mknod', 'getfattr', 'setfattr', 'fuseOverlayfs'] as const) {
    const p = tools[name];
    assert.ok(p !== undefined, `${name} is found`);
    accessSync(p, constants.X_OK);
  }
});

test('findHostTools: a required tool that is not executable is named in `missing`, and the probe says to install it', () => {
  // Hide chroot in a private mount namespace: a non-executable file is bound over each copy.
  const stub = join(root, 'not-executable');
  writeFileSync(stub, '', { mode: 0o644 });
  const copies = [
    ...new Set(
      ['/usr/sbin/chroot', '/sbin/chroot', '/usr/bin/chroot', '/bin/chroot'].filter((p) => statSync(p, { throwIfNoEntry: false })).map((p) => realpathSync(p)),
    ),
  ];
  assert.ok(copies.length > 0);
  const binds = copies.map((p) => `mount --bind ${stub} ${p}`).join(' && ');
  const out = execFileSync(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'sh', '-c', `${binds} && exec "$@"`, 'sh', process.execPath, TOOLS_CHILD, join(root, 'scratch')],
    { encoding: 'utf8' },
  );
  const { found, probe } = JSON.parse(out) as { found: { tools?: HostTools; missing?: string }; probe: { why?: string; hint?: string } };
  assert.deepEqual(found, { missing: 'chroot' });
  assert.equal(probe.why, 'chroot is not installed');
  assert.match(probe.hint ?? '', /coreutils/);
  accessSync('/usr/sbin/chroot', constants.X_OK); // the host's is untouched
});

test('dyingWithParent: setpriv --pdeathsig KILL in front when setpriv is there; the command as is otherwise', () => {
  const tools = findHostTools().tools!;
  assert.deepEqual(dyingWithParent({ ...tools, setpriv: '/usr/bin/setpriv' }, '/usr/bin/unshare', ['--mount', '--', 'sh']), [
    '/usr/bin/setpriv',
    ['--pdeathsig', 'KILL', '--', '/usr/bin/unshare', '--mount', '--', 'sh'],
  ]);
  assert.deepEqual(dyingWithParent({ ...tools, setpriv: undefined }, '/usr/bin/unshare', ['--mount']), ['/usr/bin/unshare', ['--mount']]);
});

/** Starts dying-child.js, waits for its sleep, SIGKILLs the parent, and says whether the sleep is still alive a moment later. */
async function sleepSurvives(plain: boolean): Promise<boolean> {
  const marker = `0.${process.pid}${Date.now()}${plain ? 1 : 2}`;
  const parent = spawn(process.execPath, [DYING, marker, ...(plain ? ['plain'] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
  const gone = new Promise((r) => parent.once('close', r));
  try {
    await new Promise<void>((resolve, reject) => {
      parent.stdout.once('data', () => resolve());
      parent.once('error', reject);
    });
    // Wait until the sleep itself runs (setpriv has exec'd it).
    const sleeping = () => processesMentioning(marker).some((p) => / sleep 1000 /.test(` ${p.split(' ').slice(1).join(' ')}`));
    for (let i = 0; i < 100 && !sleeping(); i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(sleeping(), `the sleep runs: ${processesMentioning(marker).join('; ')}`);
  } finally {
    parent.kill('SIGKILL');
    await gone;
  }
  for (let i = 0; i < 50 && processesMentioning(marker).length > 0; i++) await new Promise((r) => setTimeout(r, 20));
  const left = processesMentioning(marker);
  for (const p of left) process.kill(Number(p.split(' ')[0]), 'SIGKILL');
  return left.length > 0;
}

test('dyingWithParent: a SIGKILLed ocibake takes the command down with it (and without setpriv it would not)', async () => {
  assert.equal(await sleepSurvives(false), false, 'the sleep dies with its parent');
  assert.equal(await sleepSurvives(true), true, 'control: without the prefix the sleep outlives its parent');
});
