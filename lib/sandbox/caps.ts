import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { rangeMapping, subordinateRange, unshareMapArgs, type IdMapping, type IdRange } from './id-map.js';
import { findHostTools, type HostTools } from './tools.js';
import { removeScratch } from '../io/remove-scratch.js';

/**
 * How RUN steps are isolated on this machine:
 * - `root`: ocibake runs as real root (CI containers); a mount + pid namespace is enough.
 * - `userns-range`: a normal user with a subordinate id range (/etc/subuid): a user namespace
 *   maps root to the user and ids 1…65536 to the range, so packages can own files as `_apt` etc.
 * - `userns-single`: a normal user without a range: only root exists inside. apt works with
 *   `APT::Sandbox::User "root"` (ocibake mounts it in); what needs another id does not: `chown`
 *   to it fails with "Invalid argument", a RUN under a non-root USER is refused before it starts
 *   (`oneUidLimit`), and files a RUN creates or rewrites belong to root in its layer.
 */
export type IsolationMode = 'root' | 'userns-range' | 'userns-single';

/** The copy-on-write that a RUN's root filesystem uses. */
export type CopyOnWrite = 'overlay' | 'fuse-overlayfs';

/** `SandboxCaps` is what this machine can do, probed once per process. */
export interface SandboxCaps {
  mode: IsolationMode;
  cow: CopyOnWrite;
  tools: HostTools;
  /** The namespace's id mapping (absent as root: host ids are used as they are). */
  mapping?: IdMapping | undefined;
  /**
   * Extra options of the RUN's copy-on-write mount, each with a leading comma. `userxattr`:
   * kernel overlay in a user namespace keeps its whiteout/opaque marks in `user.*` xattrs.
   * `volatile` (kernel overlay, fuse-overlayfs): fsync in the RUN returns at once (see `probe`).
   */
  overlayOptions: string;
  /** Why a better mode was not available, for `--debug` and the metadata file. */
  notes: string[];
  /** In `userns-single` mode: what would give this user a subordinate id range (for error hints). */
  rangeFix?: string | undefined;
}

/** `SandboxReport` is what a build says about its sandbox, in `--debug` output and the metadata file. */
export interface SandboxReport {
  mode: IsolationMode;
  copyOnWrite: CopyOnWrite;
  /** The copy-on-write mount's extra options (`userxattr`, `volatile`), when it has any. */
  copyOnWriteOptions?: string[] | undefined;
  /** uid map as `inside→outside×count`, e.g. `0→1001×1, 1→100000×65536` (absent as root). */
  uidMap?: string | undefined;
  gidMap?: string | undefined;
  notes: string[];
}

/** `sandboxReport` describes caps for people: which isolation and copy-on-write were picked, and why not better ones. */
export function sandboxReport(c: SandboxCaps): SandboxReport {
  const map = (rs: IdRange[]): string => rs.map((r) => `${r.inner}→${r.outer}×${r.count}`).join(', ');
  const options = c.overlayOptions.split(',').filter((o) => o !== '');
  return {
    mode: c.mode,
    copyOnWrite: c.cow,
    ...(options.length ? { copyOnWriteOptions: options } : {}),
    ...(c.mapping ? { uidMap: map(c.mapping.uids), gidMap: map(c.mapping.gids) } : {}),
    notes: [...c.notes],
  };
}

/** `SandboxUnavailable` says why RUN cannot be isolated here, and what would fix it. */
export interface SandboxUnavailable {
  why: string;
  hint: string;
}

let cached: Map<string, SandboxCaps | SandboxUnavailable> | undefined;

/** `isUnavailable` tells a failed probe from caps. */
export function isUnavailable(c: SandboxCaps | SandboxUnavailable): c is SandboxUnavailable {
  return 'why' in c;
}

/**
 * `probeSandbox` finds the best isolation for this user and a copy-on-write that works in it,
 * by mounting a test overlay under `scratchRoot` (on the filesystem snapshots will live on: an
 * overlay's upper dir cannot be on every filesystem). Kernel overlayfs first (in a user
 * namespace with `userxattr`, without which dpkg fails with EXDEV), fuse-overlayfs second.
 */
export function probeSandbox(scratchRoot: string): SandboxCaps | SandboxUnavailable {
  cached ??= new Map();
  const hit = cached.get(scratchRoot);
  if (hit) return hit;
  const result = probe(scratchRoot);
  cached.set(scratchRoot, result);
  return result;
}

function probe(scratchRoot: string): SandboxCaps | SandboxUnavailable {
  const found = findHostTools();
  if (!found.tools) return { why: `${found.missing} is not installed`, hint: 'install util-linux and coreutils (every Linux distribution has them)' };
  const tools = found.tools;
  const notes: string[] = [];
  if (!tools.setpriv) notes.push("setpriv (util-linux) is missing: RUN keeps every capability instead of Docker's default set");
  const uid = process.getuid?.() ?? -1;
  let mode: IsolationMode;
  let mapping: IdMapping | undefined;
  let rangeFix: string | undefined;
  if (uid === 0) mode = 'root';
  else {
    const blocked = usernsBlocked();
    if (blocked) return blocked;
    const subuid = subordinateRange('/etc/subuid');
    const subgid = subordinateRange('/etc/subgid');
    const helpers = existsSync('/usr/bin/newuidmap') && existsSync('/usr/bin/newgidmap');
    if (subuid && subgid && helpers) {
      mode = 'userns-range';
      mapping = rangeMapping(uid, process.getgid?.() ?? uid, subuid, subgid);
    } else {
      mode = 'userns-single';
      mapping = { uids: [{ inner: 0, outer: uid, count: 1 }], gids: [{ inner: 0, outer: process.getgid?.() ?? uid, count: 1 }] };
      notes.push(
        !subuid || !subgid
          ? 'no /etc/subuid and /etc/subgid range for this user: only root exists inside RUN'
          : 'newuidmap/newgidmap are missing (the uidmap package): only root exists inside RUN',
      );
      const name = userInfo().username;
      rangeFix =
        !subuid || !subgid
          ? `give ${name} a subordinate id range (pick one no other line of /etc/subuid uses): sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${name}`
          : 'install newuidmap and newgidmap: sudo apt-get install uidmap';
    }
  }
  const nsArgs = mode === 'root' ? [] : mapping && mode === 'userns-range' ? unshareMapArgs(mapping) : ['--user', '--map-root-user'];
  const namespaceOptions = mode === 'root' ? '' : ',userxattr';
  mkdirSync(scratchRoot, { recursive: true });
  const dir = mkdtempSync(join(scratchRoot, 'probe-'));
  const mountIn = (line: string): ReturnType<typeof spawnSync> =>
    spawnSync(tools.unshare, [...nsArgs, '--mount', '--propagation', 'private', '--', tools.sh, '-c', line], { encoding: 'utf8', timeout: 10_000 });
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
    const dirs = `lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work`;
    // `volatile`: dpkg fsyncs every file it unpacks, and each fsync waits for the disk (an apt-get
    // install of gcc: 1.5 s of 19 s). A RUN's upper dir only becomes a snapshot after the RUN
    // exits, and the snapshot cache never fsyncs unpacked layers either: a power loss can cost
    // the cache in any case, a kill -9 cannot (the page cache survives it). Kernels before 5.10
    // refuse the option; the second try is the plain mount, so the probe is then one spawn longer.
    let kernel = mountIn(`${tools.mount} -t overlay overlay -o ${dirs}${namespaceOptions},volatile ${dir}/merged`);
    let overlayOptions = `${namespaceOptions},volatile`;
    if (kernel.status !== 0) {
      kernel = mountIn(`${tools.mount} -t overlay overlay -o ${dirs}${namespaceOptions} ${dir}/merged`);
      overlayOptions = namespaceOptions;
    }
    if (kernel.status === 0) return { mode, cow: 'overlay', tools, mapping, overlayOptions, notes, rangeFix };
    const why = (String(kernel.stderr ?? '') || kernel.error?.message || '').trim().split('\n')[0] ?? '';
    if (kernel.error || (/unshare: (unshare|write) failed|Operation not permitted/.test(why) && !/mount/.test(why))) {
      return {
        why: `cannot create namespaces: ${why}`,
        hint: 'allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1), or run as root, or use --executor=host',
      };
    }
    notes.push(`kernel overlayfs failed here (${why})`);
    if (tools.fuseOverlayfs && existsSync('/dev/fuse')) {
      // fuse-overlayfs (1.4+) takes `volatile` too: it then skips fsync on the upper dir.
      let r = mountIn(`${tools.fuseOverlayfs} -o ${dirs},volatile ${dir}/merged`);
      let fuseOptions = ',volatile';
      if (r.status !== 0) {
        r = mountIn(`${tools.fuseOverlayfs} -o ${dirs} ${dir}/merged`);
        fuseOptions = '';
      }
      if (r.status === 0) return { mode, cow: 'fuse-overlayfs', tools, mapping, overlayOptions: fuseOptions, notes, rangeFix };
      notes.push(
        `fuse-overlayfs failed too (${
          String(r.stderr ?? '')
            .trim()
            .split('\n')[0] ?? ''
        })`,
      );
    }
    return {
      why: `no copy-on-write filesystem works for RUN here: ${notes.join('; ')}`,
      hint: 'put the cache on a local filesystem (ext4, xfs, tmpfs: --cache-dir), install fuse-overlayfs, or use --executor=host',
    };
  } finally {
    removeScratch(dir);
  }
}

/**
 * `oneUidLimit` explains the `userns-single` limit for an error's hint: only root exists inside
 * RUN, so another id (a USER, a chown target, apt's `_apt`) cannot be used, and how to lift it.
 */
export function oneUidLimit(c: SandboxCaps): string {
  return `RUN isolation here is userns-single, a user namespace that maps only root: switching to another user, or chown/chgrp to another id, fails ("Invalid argument"). To lift it, ${c.rangeFix ?? 'give this user a /etc/subuid and /etc/subgid range'}; or run ocibake as root`;
}

/** Ubuntu (23.10+) can forbid unprivileged user namespaces through AppArmor; say how to allow them. */
function usernsBlocked(): SandboxUnavailable | undefined {
  const read = (f: string): string | undefined => {
    try {
      return readFileSync(f, 'utf8').trim();
    } catch {
      return undefined;
    }
  };
  if (read('/proc/sys/kernel/apparmor_restrict_unprivileged_userns') === '1') {
    return {
      why: 'AppArmor forbids unprivileged user namespaces on this machine (kernel.apparmor_restrict_unprivileged_userns=1)',
      hint: 'allow them: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0 (GitHub runners have passwordless sudo), or run ocibake as root, or use --executor=host',
    };
  }
  if (read('/proc/sys/kernel/unprivileged_userns_clone') === '0') {
    return {
      why: 'unprivileged user namespaces are disabled (kernel.unprivileged_userns_clone=0)',
      hint: 'sudo sysctl kernel.unprivileged_userns_clone=1, or run as root, or use --executor=host',
    };
  }
  if (read('/proc/sys/user/max_user_namespaces') === '0') {
    return {
      why: 'user namespaces are disabled (user.max_user_namespaces=0)',
      hint: 'sudo sysctl user.max_user_namespaces=15000, or run as root, or use --executor=host',
    };
  }
  return undefined;
}
