import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { SandboxCaps } from '../../../../lib/sandbox/caps.js';
import { SandboxError } from '../../../../lib/sandbox/errors.js';
import { mountScript, runLine, type RootLayout, type SandboxMount, type SandboxProcess } from '../../../../lib/sandbox/script.js';
import { findHostTools } from '../../../../lib/sandbox/tools.js';
import { tempDir } from '../../../harness/tmp.js';
import { busyboxRootfs, mountsUnder, processesMentioning } from './busybox-rootfs.js';

const tools = findHostTools().tools!;
const rootCaps: SandboxCaps = { mode: 'root', cow: 'overlay', tools, overlayOptions: '', notes: [] };
const usernsCaps: SandboxCaps = { ...rootCaps, mode: 'userns-single', overlayOptions: ',userxattr' };
const fuseCaps: SandboxCaps = { ...rootCaps, cow: 'fuse-overlayfs' };

const work = tempDir('ocibake-script-');
after(() => {
  assert.deepEqual(mountsUnder(work), [], 'no mount is left behind');
  assert.deepEqual(processesMentioning(work), [], 'no process of a sandbox is left behind');
});

/** A RUN's dirs under a fresh scratch dir, with `lowers` (host dirs, lowest first) linked in as l0, l1, …. */
function layout(lowers: string[], o: Partial<RootLayout> = {}): RootLayout {
  const s = mkdtempSync(join(work, 'run-'));
  const dirs = { lowersDir: join(s, 'lowers'), upper: join(s, 'upper'), work: join(s, 'work'), merged: join(s, 'merged') };
  for (const d of Object.values(dirs)) mkdirSync(d);
  mkdirSync(join(dirs.lowersDir, 'empty'));
  lowers.forEach((l, i) => symlinkSync(l, join(dirs.lowersDir, `l${i}`)));
  writeFileSync(join(s, 'resolv.conf'), 'nameserver 192.0.2.53\n');
  writeFileSync(join(s, 'hosts'), '127.0.0.1\tlocalhost buildkitsandbox\n');
  return {
    ...dirs,
    lowerCount: lowers.length,
    resolvConf: join(s, 'resolv.conf'),
    hosts: join(s, 'hosts'),
    resolvConfTarget: '/etc/resolv.conf',
    hostsTarget: '/etc/hosts',
    network: 'default',
    hostname: 'buildkitsandbox',
    startedMarker: join(s, 'started'),
    stubList: join(s, 'stubs'),
    ...o,
  };
}

const proc = (argv: string[], o: Partial<SandboxProcess> = {}): SandboxProcess => ({ argv, cwd: '/', imageHasShell: true, ...o });
const lines = (script: string): string[] => script.split('\n');
const indexOf = (script: string, re: RegExp): number => lines(script).findIndex((l) => re.test(l));

/** Runs a mount script as `runInSandbox` does: pid 1 of fresh mount, pid and uts (and with `net`, network) namespaces. */
function runScript(script: string, env: Record<string, string>, net = false): { status: number | null; stdout: string; stderr: string } {
  const args = ['--mount', '--propagation', 'private', '--pid', '--fork', '--kill-child', '--uts', ...(net ? ['--net'] : []), '--', tools.sh, '-c', script];
  const r = spawnSync(tools.unshare, args, { env, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** `key=value` lines of a run's output. */
const kv = (out: string): Record<string, string> =>
  Object.fromEntries(out.split('\n').flatMap((l) => (l.includes('=') ? [[l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]] : [])));

/** `find`-style listing of a host tree, to tell it was not changed. */
const listing = (dir: string): string => execFileSync('sh', ['-c', `cd "${dir}" && find . -printf '%p %y %m %s %T@\\n' | LC_ALL=C sort`], { encoding: 'utf8' });

// The tiny image: busybox (layer 0) and a second layer that changes /etc/motd (layer 1).
const base = busyboxRootfs(join(work, 'base'));
writeFileSync(join(base, 'etc/motd'), 'one\n');
const layer1 = join(work, 'layer1');
mkdirSync(join(layer1, 'etc'), { recursive: true });
writeFileSync(join(layer1, 'etc/motd'), 'two\n');

// --- the script's text -------------------------------------------------------------------------

test('mountScript: the root overlay lists lower dirs top first, by their short names, with the upper and work dirs', () => {
  const r = layout([base, layer1, join(work, 'layer1')]);
  const s = mountScript(rootCaps, r, [], proc(['/bin/true']));
  const l = lines(s);
  assert.equal(l[0], 'set -e');
  assert.equal(l[1], `cd '${r.lowersDir}'`);
  // As root nodev: a device node a RUN makes must not open the host's disk.
  assert.equal(l[2], `${tools.mount} -t overlay overlay -o 'lowerdir=l2:l1:l0,upperdir=${r.upper},workdir=${r.work},nodev' '${r.merged}'`);
  assert.equal(l[3], 'cd /');
  // In a user namespace overlay keeps its marks in user.* xattrs (and the kernel makes it nodev).
  assert.match(mountScript(usernsCaps, r, [], proc(['/bin/true'])), new RegExp(`workdir=${r.work},userxattr' '${r.merged}'`));
  // fuse-overlayfs gets the probed options of its own (the probe never gives it userxattr).
  assert.equal(
    lines(mountScript({ ...fuseCaps, overlayOptions: ',volatile' }, r, [], proc(['/bin/true'])))[2],
    `${tools.fuseOverlayfs} -o 'lowerdir=l2:l1:l0,upperdir=${r.upper},workdir=${r.work},volatile,nodev' '${r.merged}'`,
  );
  // FROM scratch: no layer at all, the upper dir is the root.
  const empty = layout([]);
  assert.equal(lines(mountScript(rootCaps, empty, [], proc(['/x'])))[2], `${tools.mount} --bind '${empty.upper}' '${empty.merged}'`);
});

test('mountScript: an upper or work dir with "," or ":" cannot go into overlay options, and says where to move', () => {
  for (const bad of ['/tmp/a,b/upper', '/tmp/a:b/upper']) {
    assert.throws(
      () => mountScript(rootCaps, layout([base], { upper: bad }), [], proc(['/bin/true'])),
      (e: unknown) => e instanceof SandboxError && e.code === 'OCIBAKE_EXEC' && e.message.includes(bad) && /--cache-dir/.test(e.hint ?? ''),
    );
  }
  assert.throws(() => mountScript(rootCaps, layout([base], { work: '/x:y' }), [], proc(['/bin/true'])), SandboxError);
  const r = layout([base]);
  const m: SandboxMount = { kind: 'overlay', lowers: ['/a', '/b,c'], target: '/mnt' };
  assert.throws(() => mountScript(rootCaps, r, [m], proc(['/bin/true'])), /the path contains "," or ":"/);
  const up: SandboxMount = { kind: 'overlay', lowers: ['/a', '/b'], target: '/mnt', upper: { upper: '/u:1', work: '/w' } };
  assert.throws(() => mountScript(rootCaps, r, [up], proc(['/bin/true'])), /cannot mount \/u:1 in an overlay/);
});

test('mountScript: /proc, a minimal /dev of bound host nodes, /dev/pts, /dev/shm, the fd links and /sys', () => {
  const r = layout([base]);
  const s = mountScript(rootCaps, r, [], proc(['/bin/true']));
  const M = r.merged;
  assert.ok(s.includes(`${tools.mount} -t proc -o nosuid,nodev,noexec proc '${M}/proc'`));
  assert.ok(s.includes(`${tools.mount} -t tmpfs -o nosuid,nodev,mode=0755,size=65536k tmpfs '${M}/dev'`));
  for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty'])
    assert.ok(s.includes(`${tools.touch} '${M}/dev/${d}' && ${tools.mount} --bind /dev/${d} '${M}/dev/${d}'`), `/dev/${d}`);
  assert.ok(s.includes(`${tools.mount} -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts '${M}/dev/pts'`));
  assert.ok(s.includes(`shm '${M}/dev/shm'`));
  for (const [n, t] of [
    ['ptmx', 'pts/ptmx'],
    ['fd', '/proc/self/fd'],
    ['stdin', '/proc/self/fd/0'],
    ['stdout', '/proc/self/fd/1'],
    ['stderr', '/proc/self/fd/2'],
  ])
    assert.ok(s.includes(`${tools.ln} -s ${t} '${M}/dev/${n}'`), `/dev/${n} → ${t}`);
  assert.ok(s.includes(`${tools.mount} -t sysfs -o ro,nosuid,nodev,noexec sysfs '${M}/sys'`));
  // The /dev tmpfs comes before the nodes bound into it, /proc before anything runs.
  assert.ok(indexOf(s, /tmpfs '.*\/dev'$/) < indexOf(s, /--bind \/dev\/null/));
  // As runc does: what writes to the host's kernel read-only, what leaks it masked; as root a failure stops the RUN.
  const sys = `if [ -e '${M}/proc/sys' ]; then ${tools.mount} --bind '${M}/proc/sys' '${M}/proc/sys' && ${tools.mount} -o remount,bind,ro,nosuid,nodev,noexec '${M}/proc/sys'; fi`;
  assert.ok(lines(s).includes(sys), '/proc/sys read-only');
  assert.ok(s.includes(`elif [ -e '${M}/proc/kcore' ]; then ${tools.mount} --bind /dev/null '${M}/proc/kcore'; fi\n`), '/proc/kcore masked');
  assert.ok(s.includes(`if [ -d '${M}/sys/firmware' ]; then ${tools.mount} -t tmpfs -o ro,nosuid,nodev,noexec,size=0 tmpfs '${M}/sys/firmware'`));
  assert.ok(indexOf(s, /proc '.*\/proc'$/) < indexOf(s, /proc\/sys'; fi/), 'after /proc is mounted');
  // In a user namespace the kernel refuses those writes already: a path it cannot cover is left.
  assert.ok(lines(mountScript(usernsCaps, r, [], proc(['/bin/true']))).includes(`${sys} 2>/dev/null || true`));
});

test('mountScript: resolv.conf and hosts are bound at their resolved targets, over stubs made (and listed) when missing', () => {
  const r = layout([base], { resolvConfTarget: '/run/systemd/resolve/stub-resolv.conf' });
  const s = mountScript(rootCaps, r, [], proc(['/bin/true']));
  const M = r.merged;
  assert.ok(s.includes(`: > '${r.stubList}'`), 'the stub list starts empty');
  for (const p of ['/run', '/run/systemd', '/run/systemd/resolve']) {
    assert.ok(s.includes(`[ -e '${M}${p}' ] || [ -L '${M}${p}' ] || { ${tools.mkdir} '${M}${p}' && echo '${p}' >> '${r.stubList}'; }`), `dir stub ${p}`);
  }
  assert.ok(
    s.includes(`|| { ${tools.touch} '${M}/run/systemd/resolve/stub-resolv.conf' && echo '/run/systemd/resolve/stub-resolv.conf' >> '${r.stubList}'; }`),
    'a file stub for a file',
  );
  assert.ok(s.includes(`${tools.mount} --bind '${r.resolvConf}' '${M}/run/systemd/resolve/stub-resolv.conf'`));
  assert.ok(s.includes(`${tools.mount} --bind '${r.hosts}' '${M}/etc/hosts'`));
  assert.ok(indexOf(s, /: > /) < indexOf(s, /stub-resolv\.conf' >>/), 'the list is emptied before stubs are recorded');
});

test('mountScript: bind mounts: owner and mode set before a read-only remount; tmpfs with its size', () => {
  const r = layout([base]);
  const M = r.merged;
  const mounts: SandboxMount[] = [
    { kind: 'bind', source: '/host/secret', target: '/run/secrets/tok', file: true, readonly: true, owner: { uid: 1001, gid: 10 }, mode: 0o400 },
    { kind: 'bind', source: '/host/cache', target: '/root/.cache', file: false, readonly: false },
    { kind: 'tmpfs', target: '/scratch', size: 1048576 },
    { kind: 'tmpfs', target: '/t2' },
  ];
  const s = mountScript(rootCaps, r, mounts, proc(['/bin/true']));
  const bind = indexOf(s, /--bind '\/host\/secret' '.*\/run\/secrets\/tok'$/);
  const chown = indexOf(s, new RegExp(`^${tools.chown} 1001:10 '${M}/run/secrets/tok'$`));
  const chmod = indexOf(s, new RegExp(`^${tools.chmod} 400 '${M}/run/secrets/tok'$`));
  const ro = indexOf(s, new RegExp(`^${tools.mount} -o remount,bind,ro,nodev '${M}/run/secrets/tok'$`));
  assert.ok(
    bind > 0 && chown === bind + 1 && chmod === bind + 2 && ro === bind + 3,
    `bind, chown, chmod, remount ro in order (${bind} ${chown} ${chmod} ${ro})`,
  );
  assert.ok(s.includes(`${tools.touch} '${M}/run/secrets/tok' && echo '/run/secrets/tok'`), 'a file mount point is a file');
  assert.ok(s.includes(`${tools.mkdir} '${M}/root/.cache' && echo '/root/.cache'`), 'a dir mount point is a dir');
  assert.deepEqual(
    lines(s).filter((l) => l.includes(`'${M}/root/.cache'`) && /remount|chown|chmod/.test(l)),
    [`${tools.mount} -o remount,bind,nodev '${M}/root/.cache'`],
    'a writable bind without owner or mode is bound, then made nodev (as root)',
  );
  const userns = mountScript(usernsCaps, r, mounts, proc(['/bin/true']));
  assert.equal(
    lines(userns).filter((l) => l.includes(`'${M}/root/.cache'`) && /remount|chown|chmod/.test(l)).length,
    0,
    'in a user namespace it is only bound',
  );
  assert.ok(userns.includes(`${tools.mount} -o remount,bind,ro '${M}/run/secrets/tok'`));
  assert.ok(s.includes(`${tools.mount} -t tmpfs -o size=1048576,nodev,mode=0755 tmpfs '${M}/scratch'`));
  assert.ok(s.includes(`${tools.mount} -t tmpfs -o nodev,mode=0755 tmpfs '${M}/t2'`));
});

test('mountScript: overlay mounts of other stages: one layer bound read-only, several merged top first, a sub path bound from staging', () => {
  const r = layout([base]);
  const M = r.merged;
  const one = mountScript(rootCaps, r, [{ kind: 'overlay', lowers: ['/snap/a'], target: '/src' }], proc(['/bin/true']));
  assert.ok(one.includes(`${tools.mount} --bind '/snap/a' '${M}/src' && ${tools.mount} -o remount,bind,ro,nodev '${M}/src'`));
  const many = mountScript(rootCaps, r, [{ kind: 'overlay', lowers: ['/snap/a', '/snap/b', '/snap/c'], target: '/src' }], proc(['/bin/true']));
  assert.ok(
    many.includes(`${tools.mount} -t overlay overlay -o 'lowerdir=/snap/c:/snap/b:/snap/a,nodev' '${M}/src'`),
    'read-only overlay: no upper dir, no userxattr',
  );
  const rw = mountScript(
    usernsCaps,
    r,
    [{ kind: 'overlay', lowers: ['/snap/a'], target: '/src', upper: { upper: '/rw/u', work: '/rw/w' } }],
    proc(['/bin/true']),
  );
  assert.ok(
    rw.includes(`-o 'lowerdir=/snap/a:${r.lowersDir}/empty,upperdir=/rw/u,workdir=/rw/w,userxattr' '${M}/src'`),
    'a writable single layer gets the empty dir as a second lower',
  );
  const sub = mountScript(
    rootCaps,
    r,
    [{ kind: 'overlay', lowers: ['/snap/a', '/snap/b'], target: '/src', subpath: { path: '/usr/lib', staging: '/stage0' } }],
    proc(['/bin/true']),
  );
  const whole = indexOf(sub, /lowerdir=\/snap\/b:\/snap\/a,nodev' '\/stage0'$/);
  const part = indexOf(sub, new RegExp(`--bind '/stage0/usr/lib' '${M}/src'$`));
  assert.ok(whole > 0 && part === whole + 1, 'the whole filesystem at staging, then only the sub path at the target');
});

test('mountScript: --network=none brings loopback up; the hostname is set; the cwd is made; the start marker comes last', () => {
  const none = layout([base], { network: 'none', hostname: "it's" });
  const s = mountScript(rootCaps, none, [], proc(['/bin/true'], { cwd: '/srv/app' }));
  assert.ok(s.includes(`${tools.ip} link set lo up`));
  assert.ok(s.includes(`${tools.hostname} 'it'\\''s' 2>/dev/null || true`));
  assert.ok(s.includes(`${tools.mkdir} -p '${none.merged}/srv/app'`));
  const l = lines(s);
  assert.deepEqual(l.slice(-4, -2), [`${tools.touch} '${none.startedMarker}'`, 'set +e']);
  assert.equal(l.at(-1), 'exit $?');
  assert.equal(mountScript(rootCaps, layout([base]), [], proc(['/bin/true'])).includes('link set lo up'), false, 'the default network needs nothing');
  assert.equal(mountScript({ ...rootCaps, tools: { ...tools, ip: undefined } }, none, [], proc(['/bin/true'])).includes('link set lo up'), false);
});

test('runLine: unshare --root/--wd for root and for a user without other groups; chroot --groups (and the image shell for the cwd) with them', () => {
  const M = '/m';
  const drop = `${tools.setpriv} --bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+net_raw,+sys_chroot,+mknod,+audit_write,+setfcap --inh-caps=-all -- `;
  assert.ok(tools.setpriv, 'util-linux setpriv is on this machine');
  // RUN --security=insecure (allowed by --allow security.insecure) keeps every capability.
  assert.equal(runLine(rootCaps, M, proc(['/x'], { privileged: true })), `${tools.unshare} --root='/m' --wd='/' -- '/x'`);
  // Without setpriv nothing can drop them: the probe says so in its notes.
  assert.equal(runLine({ ...rootCaps, tools: { ...tools, setpriv: undefined } }, M, proc(['/x'])), `${tools.unshare} --root='/m' --wd='/' -- '/x'`);
  assert.equal(
    runLine(rootCaps, M, proc(['/bin/sh', '-c', "echo 'x'"], { cwd: '/w d' })),
    `${drop}${tools.unshare} --root='/m' --wd='/w d' -- '/bin/sh' '-c' 'echo '\\''x'\\'''`,
  );
  assert.equal(
    runLine(rootCaps, M, proc(['/x'], { user: { uid: 1001, gid: 1001, groups: [1001] } })),
    `${drop}${tools.unshare} --root='/m' --wd='/' --setgid=1001 --setuid=1001 -- '/x'`,
  );
  assert.equal(
    runLine(rootCaps, M, proc(['/x', 'a b'], { cwd: '/app', user: { uid: 1001, gid: 1001, groups: [10, 1001, 10, 27] } })),
    `${drop}${tools.chroot} --userspec=1001:1001 --groups=1001,10,27 '/m' /bin/sh -c 'cd -- "$1" && shift && exec "$@"' ocibake-run '/app' '/x' 'a b'`,
  );
  // No /bin/sh in the image: the cwd matters more than supplementary groups.
  assert.equal(
    runLine(rootCaps, M, proc(['/x'], { cwd: '/app', imageHasShell: false, user: { uid: 5, gid: 6, groups: [6, 7] } })),
    `${drop}${tools.unshare} --root='/m' --wd='/app' --setgid=6 --setuid=5 -- '/x'`,
  );
});

// --- the script, run ---------------------------------------------------------------------------

const PROBE = [
  'echo "uid=$(id -u)"',
  'echo "gid=$(id -g)"',
  'echo "groups=$(id -G)"',
  'echo "pwd=$(pwd)"',
  'echo "hostname=$(hostname)"',
  'echo "motd=$(cat /etc/motd)"',
  'echo "foo=$FOO"',
  'echo "hostvar=${OCIBAKE_HOST_ONLY-unset}"',
  'echo "envnames=$(env | cut -d= -f1 | grep -v -x -e PWD -e OLDPWD -e SHLVL | sort | tr "\\n" " ")"',
  'echo "procs=$(ls /proc | grep -c "^[0-9]")"',
  'echo "pid1=$(tr "\\0" " " < /proc/1/cmdline | head -c 40)"',
  'echo x > /dev/null && [ -c /dev/null ] && echo "devnull=ok"',
  'echo "zero=$(head -c 5 /dev/zero | wc -c)"',
  '[ -c /dev/urandom ] && [ -c /dev/tty ] && [ -L /dev/fd ] && echo "devnodes=ok"',
  'echo "resolv=$(cat /etc/resolv.conf)"',
  'echo "hostsfile=$(head -n 1 /etc/hosts)"',
  'echo "sysro=$(touch /sys/x 2>/dev/null && echo writable || echo ro)"',
  'echo "proc=$(grep -c . /proc/self/status)"',
].join('\n');

test('a generated script, run as root on a busybox rootfs: its own /proc, /dev, hostname, cwd, env and ids; the host untouched', () => {
  const hostResolv = readFileSync('/etc/resolv.conf', 'utf8');
  const hostHosts = readFileSync('/etc/hosts', 'utf8');
  const hostName = hostname();
  const before = [listing(base), listing(layer1)];
  const r = layout([base, layer1]);
  const env = { PATH: '/usr/bin:/bin', FOO: 'bar baz', HOME: '/root' };
  const script = mountScript(
    rootCaps,
    r,
    [],
    proc(['/bin/sh', '-c', `${PROBE}\necho changed > /etc/resolv.conf\necho new > /newfile\nrm /etc/motd`], { cwd: '/work/dir' }),
  );
  process.env['OCIBAKE_HOST_ONLY'] = 'leak';
  let res;
  try {
    res = runScript(script, env);
  } finally {
    delete process.env['OCIBAKE_HOST_ONLY'];
  }
  assert.equal(res.status, 0, res.stderr);
  const v = kv(res.stdout);
  assert.equal(v['uid'], '0');
  assert.equal(v['gid'], '0');
  assert.equal(v['pwd'], '/work/dir');
  assert.equal(v['hostname'], 'buildkitsandbox');
  assert.equal(v['motd'], 'two', 'the upper layer wins: lowerdir lists the top layer first');
  assert.equal(v['foo'], 'bar baz');
  assert.equal(v['hostvar'], 'unset', "the host's environment does not leak in");
  assert.equal(v['envnames'], 'FOO HOME PATH ', 'exactly the environment given (besides what sh sets itself)');
  const hostProcs = readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
  assert.ok(Number(v['procs']) < 10 && hostProcs > 20, `a pid namespace of its own (${v['procs']} processes, the host has ${hostProcs})`);
  assert.equal(v['pid1'], `${tools.sh} -c set -e`, 'pid 1 is the mount script');
  assert.equal(v['devnull'], 'ok');
  assert.equal(v['zero'], '5');
  assert.equal(v['devnodes'], 'ok');
  assert.equal(v['resolv'], 'nameserver 192.0.2.53', "the copy of resolv.conf, not the host's file");
  assert.match(v['hostsfile'] ?? '', /^127\.0\.0\.1\s+localhost buildkitsandbox$/);
  assert.equal(v['sysro'], 'ro');
  assert.ok(Number(v['proc']) > 10, '/proc is mounted');
  // Where the writes went: the upper dir (a whiteout for the removed file), never the lowers or the host.
  assert.equal(readFileSync(join(r.upper, 'newfile'), 'utf8'), 'new\n');
  assert.ok(
    execFileSync('stat', ['-c', '%F %t:%T', join(r.upper, 'etc/motd')], { encoding: 'utf8' }).startsWith('character special file 0:0'),
    'a whiteout for /etc/motd',
  );
  assert.equal(readFileSync(r.resolvConf, 'utf8'), 'changed\n', 'a RUN writing resolv.conf changes the copy');
  assert.deepEqual([listing(base), listing(layer1)], before, 'the lower layers are unchanged');
  assert.equal(readFileSync('/etc/resolv.conf', 'utf8'), hostResolv);
  assert.equal(readFileSync('/etc/hosts', 'utf8'), hostHosts);
  assert.equal(hostname(), hostName, 'the hostname was set in the namespace only');
  assert.ok(existsSync(r.startedMarker));
  // The image had /etc but neither resolv.conf nor hosts: two file stubs, and /work, /work/dir are not stubs (the cwd is the RUN's).
  assert.deepEqual(readFileSync(r.stubList, 'utf8').split('\n').filter(Boolean), ['/etc/resolv.conf', '/etc/hosts']);
  assert.deepEqual(mountsUnder(work), []);
});

test('a generated script, run: read-only and writable binds, tmpfs, and the exit status of the process', () => {
  const r = layout([base]);
  const host = mkdtempSync(join(work, 'host-'));
  writeFileSync(join(host, 'ro.txt'), 'read me\n');
  mkdirSync(join(host, 'cache'));
  const mounts: SandboxMount[] = [
    { kind: 'bind', source: join(host, 'ro.txt'), target: '/mnt/in/ro.txt', file: true, readonly: true, mode: 0o444 },
    { kind: 'bind', source: join(host, 'cache'), target: '/var/cache/x', file: false, readonly: false, owner: { uid: 1001, gid: 1001 } },
    { kind: 'tmpfs', target: '/tmpfs', size: 1 << 20 },
  ];
  const run = [
    'echo "ro=$(cat /mnt/in/ro.txt)"',
    'echo "rowrite=$(echo x 2>/dev/null > /mnt/in/ro.txt && echo written || echo refused)"',
    'echo cached > /var/cache/x/file',
    'echo "cacheowner=$(stat -c %u:%g /var/cache/x)"',
    'echo t > /tmpfs/t && echo "tmpfs=$(cat /tmpfs/t)"',
    'exit 7',
  ].join('\n');
  const res = runScript(mountScript(rootCaps, r, mounts, proc(['/bin/sh', '-c', run])), { PATH: '/bin' });
  assert.equal(res.status, 7, `the process's exit status is the script's (${res.stderr})`);
  const v = kv(res.stdout);
  assert.equal(v['ro'], 'read me');
  assert.equal(v['rowrite'], 'refused');
  assert.equal(readFileSync(join(host, 'ro.txt'), 'utf8'), 'read me\n');
  assert.equal(readFileSync(join(host, 'cache/file'), 'utf8'), 'cached\n', 'a writable bind writes through to its source');
  assert.equal(v['cacheowner'], '1001:1001');
  assert.equal(v['tmpfs'], 't');
  assert.equal(existsSync(join(r.upper, 'tmpfs/t')), false, 'tmpfs writes stay out of the upper dir');
  assert.equal(existsSync(join(r.upper, 'var/cache/x/file')), false, 'bind writes stay out of the upper dir');
  assert.deepEqual(readFileSync(r.stubList, 'utf8').split('\n').filter(Boolean), [
    '/etc/resolv.conf',
    '/etc/hosts',
    '/mnt',
    '/mnt/in',
    '/mnt/in/ro.txt',
    '/var',
    '/var/cache',
    '/var/cache/x',
    '/tmpfs',
  ]);
});

test('a generated script, run: --network=none has only loopback, and it is up', () => {
  const r = layout([base], { network: 'none' });
  const res = runScript(
    mountScript(rootCaps, r, [], proc(['/bin/sh', '-c', 'echo "nets=$(ls /sys/class/net | tr "\\n" " ")"; ip link show lo | head -n 1'])),
    { PATH: '/bin' },
    true,
  );
  assert.equal(res.status, 0, res.stderr);
  assert.equal(kv(res.stdout)['nets'], 'lo ');
  assert.match(res.stdout, /<LOOPBACK,UP,LOWER_UP>/);
});

test('a generated script, run: USER switching with and without supplementary groups, in the cwd', () => {
  const r1 = layout([base]);
  const cmd = [
    '/bin/sh',
    '-c',
    'echo "uid=$(id -u)"; echo "gid=$(id -g)"; echo "groups=$(id -G)"; echo "pwd=$(pwd)"; echo "root=$(touch /x 2>/dev/null && echo yes || echo no)"',
  ];
  const withGroups = runScript(mountScript(rootCaps, r1, [], proc(cmd, { cwd: '/home/app', user: { uid: 1001, gid: 1001, groups: [1001, 10] } })), {
    PATH: '/bin',
  });
  assert.equal(withGroups.status, 0, withGroups.stderr);
  assert.deepEqual(kv(withGroups.stdout), { uid: '1001', gid: '1001', groups: '1001 10', pwd: '/home/app', root: 'no' });
  const r2 = layout([base]);
  const plain = runScript(mountScript(rootCaps, r2, [], proc(cmd, { cwd: '/home/app', user: { uid: 65534, gid: 65534, groups: [65534] } })), { PATH: '/bin' });
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(
    kv(plain.stdout),
    { uid: '65534', gid: '65534', groups: '65534', pwd: '/home/app', root: 'no' },
    'no host groups are kept (unshare --setgid drops them)',
  );
});

test('a generated script, run with fuse-overlayfs as the copy-on-write: same root, writes in the upper dir, no daemon left', () => {
  const r = layout([base, layer1]);
  const res = runScript(mountScript(fuseCaps, r, [], proc(['/bin/sh', '-c', 'cat /etc/motd; echo f > /fuse-written'])), { PATH: '/bin' });
  assert.equal(res.status, 0, res.stderr);
  assert.equal(res.stdout.trim(), 'two');
  assert.equal(readFileSync(join(r.upper, 'fuse-written'), 'utf8'), 'f\n');
  assert.deepEqual(processesMentioning(r.upper), [], 'fuse-overlayfs went with the namespace');
  assert.deepEqual(readdirSync(r.merged), [], 'nothing was written to the mount point itself');
});
