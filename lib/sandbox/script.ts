import { posix } from 'node:path';
import { dropCapabilitiesArgs, MASKED_PATHS, READONLY_PROC_PATHS } from './capabilities.js';
import type { SandboxCaps } from './caps.js';
import { SandboxError } from './errors.js';

/** `SandboxMount` is one extra mount a RUN sees, at a target already resolved inside the stage's root. */
export type SandboxMount =
  | {
      kind: 'bind';
      source: string;
      target: string;
      file: boolean;
      readonly: boolean;
      owner?: { uid: number; gid: number } | undefined;
      mode?: number | undefined;
    }
  | { kind: 'tmpfs'; target: string; size?: number | undefined }
  /**
   * A stage's filesystem (its snapshot dirs, lowest first); with `upper`, writes go there and are
   * thrown away. With `subpath`, the whole filesystem is mounted at `staging` (a host dir) and only
   * that path of it is bound at the target.
   */
  | {
      kind: 'overlay';
      lowers: string[];
      target: string;
      upper?: { upper: string; work: string } | undefined;
      subpath?: { path: string; staging: string } | undefined;
    };

/** `SandboxProcess` is who and what runs once the root is ready. */
export interface SandboxProcess {
  argv: string[];
  cwd: string;
  /** Numeric ids; undefined means root. Supplementary groups need `/bin/sh` in the image to apply (see `runLine`). */
  user?: { uid: number; gid: number; groups: number[] } | undefined;
  /** Whether the image has a `/bin/sh` (resolved inside it): used to change directory before exec. */
  imageHasShell: boolean;
  /** `RUN --security=insecure` (allowed with `--allow security.insecure`): keep every capability, as BuildKit does. */
  privileged?: boolean | undefined;
}

/** What the mount script needs: the root's layers and the dirs it assembles them in. */
export interface RootLayout {
  /** Directory holding `l0`, `l1`, … symlinks to the snapshot dirs (short names keep the mount options under a page). */
  lowersDir: string;
  lowerCount: number;
  upper: string;
  work: string;
  merged: string;
  /** Host files bound at /etc/resolv.conf and /etc/hosts (copies, so a RUN cannot change the host's). */
  resolvConf: string;
  hosts: string;
  /** Targets (inside the root) of those two, resolved through the image's symlinks. */
  resolvConfTarget: string;
  hostsTarget: string;
  network: 'default' | 'none' | 'host';
  hostname: string;
  /** Created (on the host) once the root is assembled: its absence after the run means setup failed, not the command. */
  startedMarker: string;
  /** Host file listing, one per line, the mount points the script had to create inside the root. */
  stubList: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * Lines that create a mount point (its missing parents, then itself) inside the root and record
 * each thing created, so those stubs can be left out of the RUN's layer (as BuildKit removes its
 * mount stubs). `inner` is already resolved through the image's symlinks.
 */
function stubLines(t: { mkdir: string; touch: string }, merged: string, inner: string, file: boolean, list: string): string[] {
  const parts = inner.split('/').filter(Boolean);
  const out: string[] = [];
  for (let i = 1; i <= parts.length; i++) {
    const rel = `/${parts.slice(0, i).join('/')}`;
    const host = posix.join(merged, rel);
    const make = i === parts.length && file ? `${t.touch} ${q(host)}` : `${t.mkdir} ${q(host)}`;
    out.push(`[ -e ${q(host)} ] || [ -L ${q(host)} ] || { ${make} && echo ${q(rel)} >> ${q(list)}; }`);
  }
  return out;
}

/** Overlay splits its option string on ',' and lower dirs on ':'; such paths cannot be passed. */
function checkOverlayPath(p: string): void {
  if (/[,:]/.test(p))
    throw new SandboxError('OCIBAKE_EXEC', `cannot mount ${p} in an overlay: the path contains "," or ":"`, {
      hint: 'move the cache directory (--cache-dir) to a path without those characters',
    });
}

function overlayLine(caps: SandboxCaps, lowers: string, upper: { upper: string; work: string } | undefined, target: string): string {
  const t = caps.tools;
  if (upper) {
    checkOverlayPath(upper.upper);
    checkOverlayPath(upper.work);
  }
  const opts = `lowerdir=${lowers}${upper ? `,upperdir=${upper.upper},workdir=${upper.work}` : ''}`;
  // As root nothing else stops a device node the RUN makes from opening the host's disk.
  const all = `${opts}${upper ? caps.overlayOptions : ''}${caps.mode === 'root' ? ',nodev' : ''}`;
  if (caps.cow === 'fuse-overlayfs') return `${t.fuseOverlayfs ?? 'fuse-overlayfs'} -o ${q(all)} ${q(target)}`;
  return `${t.mount} -t overlay overlay -o ${q(all)} ${q(target)}`;
}

/**
 * `mountScript` is the shell script pid 1 of the sandbox runs: it assembles the stage's root
 * (overlay of the snapshots plus the RUN's upper dir), mounts /proc, a minimal /dev, /sys
 * read-only, the resolv.conf and hosts copies and the RUN's own mounts, brings loopback up for
 * `--network=none`, then runs the process as a child and exits with its status. pid 1 stays
 * root and never execs: a process that changed uid loses its parent-death signal, and must not
 * outlive a killed build.
 */
export function mountScript(caps: SandboxCaps, root: RootLayout, mounts: readonly SandboxMount[], proc: SandboxProcess): string {
  const t = caps.tools;
  const M = root.merged;
  const at = (inner: string): string => posix.join(M, inner);
  checkOverlayPath(root.upper);
  checkOverlayPath(root.work);
  const lowers = Array.from({ length: root.lowerCount }, (_, i) => `l${root.lowerCount - 1 - i}`).join(':');
  const lines = ['set -e', `cd ${q(root.lowersDir)}`];
  lines.push(root.lowerCount > 0 ? overlayLine(caps, lowers, { upper: root.upper, work: root.work }, M) : `${t.mount} --bind ${q(root.upper)} ${q(M)}`);
  lines.push('cd /');
  lines.push(`${t.mkdir} -p ${q(at('proc'))} ${q(at('dev'))} ${q(at('sys'))}`);
  lines.push(`${t.mount} -t proc -o nosuid,nodev,noexec proc ${q(at('proc'))}`);
  // nodev: the host devices bound below keep their own mount's flags; a node made here opens nothing.
  lines.push(`${t.mount} -t tmpfs -o nosuid,nodev,mode=0755,size=65536k tmpfs ${q(at('dev'))}`);
  for (const d of ['null', 'zero', 'full', 'random', 'urandom', 'tty'])
    lines.push(`${t.touch} ${q(at(`dev/${d}`))} && ${t.mount} --bind /dev/${d} ${q(at(`dev/${d}`))}`);
  lines.push(`${t.mkdir} -p ${q(at('dev/pts'))} ${q(at('dev/shm'))} ${q(at('dev/mqueue'))}`);
  lines.push(`${t.mount} -t devpts -o newinstance,ptmxmode=0666,mode=0620,nosuid,noexec devpts ${q(at('dev/pts'))} 2>/dev/null || true`);
  lines.push(`${t.mount} -t tmpfs -o nosuid,nodev,noexec,mode=1777 shm ${q(at('dev/shm'))}`);
  lines.push(`${t.ln} -s pts/ptmx ${q(at('dev/ptmx'))}; ${t.ln} -s /proc/self/fd ${q(at('dev/fd'))}`);
  for (const [i, n] of ['stdin', 'stdout', 'stderr'].entries()) lines.push(`${t.ln} -s /proc/self/fd/${i} ${q(at(`dev/${n}`))}`);
  // sysfs can only be mounted by the owner of the network namespace; otherwise show the host's read-only.
  lines.push(
    `${t.mount} -t sysfs -o ro,nosuid,nodev,noexec sysfs ${q(at('sys'))} 2>/dev/null || { ${t.mount} --rbind /sys ${q(at('sys'))} && ${t.mount} -o remount,bind,ro ${q(at('sys'))} 2>/dev/null; } || true`,
  );
  lines.push(...hideKernelLines(caps, M));
  lines.push(`: > ${q(root.stubList)}`);
  for (const [src, target] of [
    [root.resolvConf, root.resolvConfTarget],
    [root.hosts, root.hostsTarget],
  ] as const) {
    lines.push(...stubLines(t, M, target, true, root.stubList), `${t.mount} --bind ${q(src)} ${q(at(target))}`);
  }
  for (const m of mounts) {
    const target = at(m.target);
    lines.push(...stubLines(t, M, m.target, m.kind === 'bind' && m.file, root.stubList));
    switch (m.kind) {
      case 'bind':
        lines.push(`${t.mount} --bind ${q(m.source)} ${q(target)}`);
        // Ownership and mode of cache and secret mounts are set from inside, where the ids are the stage's.
        if (m.owner) lines.push(`${t.chown} ${m.owner.uid}:${m.owner.gid} ${q(target)}`);
        if (m.mode !== undefined) lines.push(`${t.chmod} ${m.mode.toString(8)} ${q(target)}`);
        // A bind keeps its source's flags: as root, nodev is added (a user namespace cannot make devices at all).
        if (m.readonly || caps.mode === 'root')
          lines.push(`${t.mount} -o remount,bind${m.readonly ? ',ro' : ''}${caps.mode === 'root' ? ',nodev' : ''} ${q(target)}`);
        break;
      case 'tmpfs':
        lines.push(`${t.mount} -t tmpfs -o ${m.size ? `size=${m.size},` : ''}nodev,mode=0755 tmpfs ${q(target)}`);
        break;
      case 'overlay': {
        const at2 = m.subpath ? m.subpath.staging : target;
        if (m.lowers.length === 1 && !m.upper) {
          lines.push(`${t.mount} --bind ${q(m.lowers[0]!)} ${q(at2)} && ${t.mount} -o remount,bind,ro${caps.mode === 'root' ? ',nodev' : ''} ${q(at2)}`);
        } else {
          for (const l of m.lowers) checkOverlayPath(l);
          // Without an upper dir overlayfs needs two lower layers; an empty one fills in for a single-layer stage.
          const lowers = [...m.lowers].reverse().join(':');
          lines.push(overlayLine(caps, m.lowers.length === 1 ? `${lowers}:${root.lowersDir}/empty` : lowers, m.upper, at2));
        }
        if (m.subpath) lines.push(`${t.mount} --bind ${q(posix.join(m.subpath.staging, m.subpath.path))} ${q(target)}`);
        break;
      }
    }
  }
  if (root.network === 'none' && t.ip) lines.push(`${t.ip} link set lo up`);
  if (t.hostname) lines.push(`${t.hostname} ${q(root.hostname)} 2>/dev/null || true`);
  lines.push(`${t.mkdir} -p ${q(at(proc.cwd))}`);
  lines.push(`${t.touch} ${q(root.startedMarker)}`);
  lines.push('set +e', runLine(caps, M, proc), 'exit $?');
  return lines.join('\n');
}

/**
 * `runLine` starts the process inside the root. util-linux `unshare --root --wd --setuid
 * --setgid` needs nothing from the image; a user with supplementary groups needs coreutils
 * `chroot --groups`, which always starts in `/`, so the image's own `/bin/sh` changes directory
 * before exec'ing the command.
 */
export function runLine(caps: SandboxCaps, merged: string, proc: SandboxProcess): string {
  const t = caps.tools;
  const argv = proc.argv.map(q).join(' ');
  const u = proc.user;
  // Docker's capability set, dropped before chroot: it keeps sys_chroot, setuid and setgid.
  const drop = t.setpriv && !proc.privileged ? `${t.setpriv} ${dropCapabilitiesArgs().join(' ')} -- ` : '';
  if (u && u.groups.some((g) => g !== u.gid) && proc.imageHasShell) {
    const groups = [...new Set([u.gid, ...u.groups])].join(',');
    return `${drop}${t.chroot} --userspec=${u.uid}:${u.gid} --groups=${groups} ${q(merged)} /bin/sh -c 'cd -- "$1" && shift && exec "$@"' ocibake-run ${q(proc.cwd)} ${argv}`;
  }
  const ids = u ? ` --setgid=${u.gid} --setuid=${u.uid}` : '';
  return `${drop}${t.unshare} --root=${q(merged)} --wd=${q(proc.cwd)}${ids} -- ${argv}`;
}

/**
 * `hideKernelLines` make /proc and /sys look as they do in a Docker container: the parts that
 * change the host's kernel read-only, the parts that leak it masked. As root a failure stops the
 * RUN (it would be a way out); in a user namespace the kernel already refuses those writes, so a
 * path that cannot be covered there is left as it is.
 */
function hideKernelLines(caps: SandboxCaps, merged: string): string[] {
  const t = caps.tools;
  const orFine = caps.mode === 'root' ? '' : ' 2>/dev/null || true';
  const lines: string[] = [];
  for (const p of READONLY_PROC_PATHS) {
    const at = q(posix.join(merged, p));
    lines.push(`if [ -e ${at} ]; then ${t.mount} --bind ${at} ${at} && ${t.mount} -o remount,bind,ro,nosuid,nodev,noexec ${at}; fi${orFine}`);
  }
  for (const p of MASKED_PATHS) {
    const at = q(posix.join(merged, p));
    lines.push(
      `if [ -d ${at} ]; then ${t.mount} -t tmpfs -o ro,nosuid,nodev,noexec,size=0 tmpfs ${at}; elif [ -e ${at} ]; then ${t.mount} --bind /dev/null ${at}; fi${orFine}`,
    );
  }
  return lines;
}
