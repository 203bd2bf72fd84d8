import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isUnavailable, probeSandbox, sandboxReport, type SandboxCaps, type SandboxUnavailable } from '../../../../lib/sandbox/caps.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';
import { repoRoot } from '../../../harness/cli.js';
import { readableInstall } from '../../../harness/readable-install.js';
import { tempDir } from '../../../harness/tmp.js';
import { mountsUnder, processesMentioning } from './busybox-rootfs.js';

const root = tempDir('ocibake-caps-');
// Other users must reach their scratch dirs below it, and the child script: the checkout may sit
// in a 0700 directory (a fresh `mktemp -d` clone), so they run a readable copy.
chmodSync(root, 0o755);
const CHILD_IN_DIST = relative(join(repoRoot, 'dist'), fileURLToPath(new URL('probe-child.js', import.meta.url)));
readableInstall(join(root, 'install'), [CHILD_IN_DIST]);
const CHILD = join(root, 'install', 'dist', CHILD_IN_DIST);
after(() => assert.deepEqual(mountsUnder(root), [], 'no mount is left behind'));

const caps = (c: SandboxCaps | SandboxUnavailable): SandboxCaps => {
  if (isUnavailable(c)) assert.fail(`sandbox unavailable: ${c.why}`);
  return c;
};

/** The probe of another process, run as `uid:gid` (with setpriv) or through `wrap`. */
function probeIn(argv: string[], scratch: string): SandboxCaps | SandboxUnavailable {
  return JSON.parse(execFileSync(argv[0]!, [...argv.slice(1), process.execPath, CHILD, scratch], { encoding: 'utf8' })) as SandboxCaps | SandboxUnavailable;
}
const asUser = (uid: number, gid: number): string[] => ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'];

function subRange(file: string, user: string): { start: number; count: number } {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${user}:`));
  assert.ok(line, `${file} has a range for ${user}`);
  const [, start, count] = line.split(':');
  return { start: Number(start), count: Number(count) };
}

test('probeSandbox as root: mount namespace only, kernel overlay, host ids, absolute tools', () => {
  assert.equal(process.getuid?.(), 0, 'these tests run as root');
  const scratch = join(root, 'nested', 'scratch');
  const c = caps(probeSandbox(scratch));
  assert.equal(c.mode, 'root');
  assert.equal(c.cow, 'overlay');
  assert.equal(c.mapping, undefined);
  // Kernel 5.10+ (this machine: 6.x) takes volatile: fsync in a RUN does not wait for the disk.
  assert.equal(c.overlayOptions, ',volatile');
  assert.deepEqual(sandboxReport(c).copyOnWriteOptions, ['volatile']);
  assert.deepEqual(c.notes, []);
  for (const [name, path] of Object.entries(c.tools)) if (path !== undefined) assert.ok(isAbsolute(path), `${name} is an absolute path (${path})`);
  assert.deepEqual(readdirSync(scratch), [], 'the scratch root is made, and the probe dir removed from it');
});

test('probeSandbox probes once per scratch root and process', () => {
  const a = join(root, 'once-a');
  const first = probeSandbox(a);
  assert.equal(probeSandbox(a), first, 'the same object, not a second probe');
  const b = join(root, 'once-b');
  assert.equal(existsSync(b), false);
  const other = probeSandbox(b);
  assert.notEqual(other, first);
  assert.equal(existsSync(b), true, 'another scratch root is probed (on its own filesystem)');
});

test('probeSandbox as a user with a /etc/subuid range: user namespace with the range mapped, userxattr', () => {
  const uid = Number(execFileSync('id', ['-u', 'obrange'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'obrange'], { encoding: 'utf8' }));
  const scratch = join(root, 'obrange');
  mkdirSync(scratch);
  chownSync(scratch, uid, gid);
  const c = caps(probeIn(asUser(uid, gid), scratch));
  const su = subRange('/etc/subuid', 'obrange');
  const sg = subRange('/etc/subgid', 'obrange');
  assert.equal(c.mode, 'userns-range');
  assert.equal(c.cow, 'overlay');
  assert.equal(c.overlayOptions, ',userxattr,volatile');
  assert.deepEqual(c.mapping, {
    uids: [
      { inner: 0, outer: uid, count: 1 },
      { inner: 1, outer: su.start, count: Math.min(su.count, 65536) },
    ],
    gids: [
      { inner: 0, outer: gid, count: 1 },
      { inner: 1, outer: sg.start, count: Math.min(sg.count, 65536) },
    ],
  });
  assert.deepEqual(readdirSync(scratch), []);
});

test('probeSandbox as a user without a range: only root inside, and a note that says why', () => {
  // nobody has no /etc/subuid line here.
  assert.equal(/^nobody:/m.test(readFileSync('/etc/subuid', 'utf8')), false);
  const scratch = join(root, 'nobody');
  mkdirSync(scratch);
  chownSync(scratch, 65534, 65534);
  const c = caps(probeIn(asUser(65534, 65534), scratch));
  assert.equal(c.mode, 'userns-single');
  assert.equal(c.cow, 'overlay');
  assert.equal(c.overlayOptions, ',userxattr,volatile');
  assert.deepEqual(c.mapping, { uids: [{ inner: 0, outer: 65534, count: 1 }], gids: [{ inner: 0, outer: 65534, count: 1 }] });
  assert.equal(c.notes.length, 1);
  assert.match(c.notes[0]!, /no \/etc\/subuid and \/etc\/subgid range for this user: only root exists inside RUN/);
  assert.match(sandboxReport(c).uidMap ?? '', /^0→65534×1$/);
});

test('probeSandbox on a filesystem kernel overlayfs refuses as upper dir: says so, then tries fuse-overlayfs', () => {
  // The scratch root lives on an overlay mount, which overlayfs does not take as an upper dir.
  const d = join(root, 'on-overlay');
  for (const s of ['l', 'u', 'w', 'm']) mkdirSync(join(d, s), { recursive: true });
  const script = `mount -t overlay overlay -o lowerdir=${d}/l,upperdir=${d}/u,workdir=${d}/w ${d}/m && exec "$@"`;
  const c = probeIn(['unshare', '--mount', '--propagation', 'private', '--', 'sh', '-c', script, 'sh'], join(d, 'm', 'scratch'));
  if (isUnavailable(c)) {
    assert.match(c.why, /^no copy-on-write filesystem works for RUN here: kernel overlayfs failed here \(/);
    assert.match(c.hint, /--cache-dir/);
  } else {
    assert.equal(c.cow, 'fuse-overlayfs', 'kernel overlay must not be reported as working');
    // fuse-overlayfs 1.10 (bookworm) takes volatile as well; no userxattr, which is kernel-only.
    assert.equal(c.overlayOptions, ',volatile');
    assert.match(c.notes[0] ?? '', /^kernel overlayfs failed here \(/);
  }
  assert.deepEqual(readdirSync(join(d, 'u', 'scratch')), [], 'the probe dir is removed on the failure path too');
  assert.deepEqual(processesMentioning(d), [], 'no fuse-overlayfs (or other) process of the probe outlives it');
});

test('sandboxReport: maps written inside→outside×count, none as root, notes copied', () => {
  const tools = findHostTools().tools!;
  const range: SandboxCaps = {
    mode: 'userns-range',
    cow: 'fuse-overlayfs',
    tools,
    mapping: {
      uids: [
        { inner: 0, outer: 1001, count: 1 },
        { inner: 1, outer: 100000, count: 65536 },
      ],
      gids: [
        { inner: 0, outer: 1002, count: 1 },
        { inner: 1, outer: 200000, count: 500 },
      ],
    },
    overlayOptions: ',volatile',
    notes: ['kernel overlayfs failed here (x)'],
  };
  const r = sandboxReport(range);
  assert.deepEqual(r, {
    mode: 'userns-range',
    copyOnWrite: 'fuse-overlayfs',
    copyOnWriteOptions: ['volatile'],
    uidMap: '0→1001×1, 1→100000×65536',
    gidMap: '0→1002×1, 1→200000×500',
    notes: ['kernel overlayfs failed here (x)'],
  });
  r.notes.push('changed');
  assert.deepEqual(range.notes, ['kernel overlayfs failed here (x)'], 'the report has its own notes array');
  const asRoot = sandboxReport({ mode: 'root', cow: 'overlay', tools, overlayOptions: '', notes: [] });
  assert.deepEqual(asRoot, { mode: 'root', copyOnWrite: 'overlay', notes: [] });
  assert.equal('uidMap' in asRoot, false, 'no uidMap key at all as root (the metadata file omits it)');
  assert.equal('copyOnWriteOptions' in asRoot, false, 'no options key for a mount without extra options');
});

test('isUnavailable tells a failed probe from caps', () => {
  assert.equal(isUnavailable({ why: 'x', hint: 'y' }), true);
  assert.equal(isUnavailable({ mode: 'root', cow: 'overlay', tools: findHostTools().tools!, overlayOptions: '', notes: [] }), false);
});
