import { which } from '../io/which.js';

/** `HostTools` are the host programs the sandbox runs before it enters a stage's root, as absolute paths. */
export interface HostTools {
  unshare: string;
  sh: string;
  mount: string;
  chroot: string;
  mkdir: string;
  touch: string;
  ln: string;
  chown: string;
  chmod: string;
  /** `ip`, to bring loopback up in an empty network namespace (`RUN --network=none`). */
  ip?: string | undefined;
  /** `hostname`, to name the sandbox as BuildKit does. */
  hostname?: string | undefined;
  fuseOverlayfs?: string | undefined;
  getfattr?: string | undefined;
  setfattr?: string | undefined;
  mknod?: string | undefined;
  /** util-linux `setpriv`, to give the sandbox a parent-death signal: a killed build takes its RUN down with it. */
  setpriv?: string | undefined;
}

/**
 * `dyingWithParent` prefixes a host command so it dies with the ocibake process that started it
 * (`setpriv --pdeathsig KILL`): if the build is SIGKILLed, `unshare` goes too, and its
 * `--kill-child` then ends every process of the RUN.
 */
export function dyingWithParent(tools: HostTools, cmd: string, args: string[]): [string, string[]] {
  return tools.setpriv ? [tools.setpriv, ['--pdeathsig', 'KILL', '--', cmd, ...args]] : [cmd, args];
}

const SEARCH = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;

/** `findHostTools` resolves the tools once; a missing required one is named in `missing`. */
export function findHostTools(): { tools?: HostTools; missing?: string } {
  const need = ['unshare', 'sh', 'mount', 'chroot', 'mkdir', 'touch', 'ln', 'chown', 'chmod'] as const;
  const found: Record<string, string> = {};
  for (const n of need) {
    const p = which(n, SEARCH);
    if (!p) return { missing: n };
    found[n] = p;
  }
  return {
    tools: {
      ...(found as Pick<HostTools, (typeof need)[number]>),
      ip: which('ip', SEARCH),
      hostname: which('hostname', SEARCH),
      fuseOverlayfs: which('fuse-overlayfs', SEARCH),
      getfattr: which('getfattr', SEARCH),
      setfattr: which('setfattr', SEARCH),
      mknod: which('mknod', SEARCH),
      setpriv: which('setpriv', SEARCH),
    },
  };
}
