// Shared by the sandbox and stages tests: a tiny root filesystem (Alpine's busybox and the musl
// loader it needs, from the minirootfs fixture, with applet symlinks) and a check that a test left
// no mount behind in this process's mount namespace.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hostPlatform } from '../../../../lib/oci/platform.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const FIXTURES = join(here, '..', '..', '..', '..', '..', 'test/fixtures/alpine');

/** The minirootfs of this machine's CPU; undefined on a CPU the fixture has no tarball for. */
function fixtureFor(): { tar: string; loader: string } | undefined {
  const arch = hostPlatform().architecture;
  if (arch === 'amd64') return { tar: join(FIXTURES, 'alpine-minirootfs-3.20.3-x86_64.tar.gz'), loader: 'ld-musl-x86_64.so.1' };
  if (arch === 'arm64') return { tar: join(FIXTURES, 'alpine-minirootfs-3.20.3-aarch64.tar.gz'), loader: 'ld-musl-aarch64.so.1' };
  return undefined;
}

/** The busybox applets linked into the tiny rootfs. */
export const APPLETS =
  'sh cat echo id ls pwd hostname env touch mkdir sleep test stat ip printf readlink grep rm wc head tr date kill mount uname cut sort'.split(' ');

/**
 * `busyboxRootfs` writes a minimal root filesystem into `dir`: /bin/busybox, the musl loader in
 * /lib, /bin/<applet> symlinks, and /etc/passwd and /etc/group with root, `app` (1001) and
 * `nobody`. Nothing else: no /proc, /dev, /etc/resolv.conf or /etc/hosts (the sandbox adds them).
 */
export function busyboxRootfs(dir: string): string {
  const f = fixtureFor();
  if (!f) throw new Error(`no Alpine fixture for ${hostPlatform().architecture}`);
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzpf', f.tar, '-C', dir, '--numeric-owner', './bin/busybox', `./lib/${f.loader}`]);
  for (const a of APPLETS) symlinkSync('/bin/busybox', join(dir, 'bin', a));
  mkdirSync(join(dir, 'etc'));
  writeFileSync(join(dir, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\napp:x:1001:1001:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nwheel:x:10:app\napp:x:1001:\nnogroup:x:65534:\n');
  return dir;
}

/** `mountsUnder` lists the mount points of this process's namespace at or below `dir`. */
export function mountsUnder(dir: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4] ?? '')
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** `processesMentioning` lists `pid cmdline` of the live processes whose command line contains `text`. */
export function processesMentioning(text: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    if (Number(pid) === process.pid) continue;
    let cmd: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      continue;
    }
    if (cmd.includes(text)) out.push(`${pid} ${cmd}`);
  }
  return out;
}
