import { mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { ExecRequest, ExecResult, Executor } from './executor.js';
import { missingAncestors, planNamespaceLayout, removeCreated, type NsMount } from './ns-layout.js';
import { spawnRun } from './spawn-run.js';
import { which } from './tool-lookup.js';
import { ExecError } from './errors.js';
import { removeScratch } from '../io/remove-scratch.js';

/** `NsTools` are the host programs the namespace runner needs, resolved once to absolute paths. */
interface NsTools {
  unshare: string;
  sh: string;
  mount: string;
  mkdir: string;
  touch: string;
  chroot: string;
}

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function overlayLine(lower: string, upper: string, work: string, target: string, mount: string): string {
  for (const p of [lower, upper, work]) {
    // overlayfs splits its option string on ',' and lowerdir on ':'; such paths cannot be passed.
    if (/[,:]/.test(p))
      throw new ExecError('OCIBAKE_EXEC', `cannot overlay ${p}: the path contains "," or ":"`, {
        hint: 'move the build context, work and cache dirs to paths without those characters, or use --executor=plain',
      });
  }
  return `${mount} -t overlay overlay -o ${q(`lowerdir=${lower},upperdir=${upper},workdir=${work}`)} ${q(target)}`;
}

function mountLines(m: NsMount, t: NsTools): string[] {
  switch (m.op) {
    case 'rbind':
      return [`${t.mount} --rbind ${q(m.source)} ${q(m.target)}`];
    case 'overlay':
      // Some host dirs cannot be a lower layer (in a user namespace overlayfs refuses a lower
      // dir with locked submounts, e.g. a sandbox's /mnt); those are shown read-only instead.
      return [
        `${overlayLine(m.lower, m.upper, m.work, m.upper, t.mount)} 2>/dev/null || { ${t.mount} --rbind ${q(m.lower)} ${q(m.upper)} && ${t.mount} -o remount,bind,ro ${q(m.upper)} 2>/dev/null || true; }`,
      ];
    case 'bind':
      return [`${t.mount} --bind ${q(m.source)} ${q(m.target)}`, ...(m.readonly ? [`${t.mount} -o remount,bind,ro ${q(m.target)} 2>/dev/null || true`] : [])];
  }
}

/**
 * `NamespaceExecutor` runs a RUN inside a rootless user + mount namespace (`unshare -Urm`) whose
 * root is the stage directory with the host's directories overlaid into it, so
 * `COPY main.c /src/` then `RUN gcc /src/main.c -o /app` works with the host's gcc, and /app
 * lands in the stage. The host stays untouched: host dirs are overlay lower layers (writes go
 * to the stage) or read-only binds. Needs util-linux `unshare` and unprivileged overlayfs
 * (Linux 5.11+); `probeNamespace` checks both.
 */
export class NamespaceExecutor implements Executor {
  readonly name = 'namespace' as const;
  readonly #tools: NsTools;

  constructor(tools: NsTools) {
    this.#tools = tools;
  }

  async run(req: ExecRequest): Promise<ExecResult> {
    const t = this.#tools;
    mkdirSync(req.scratchDir, { recursive: true });
    const rootfs = realpathSync(req.rootfs);
    const scratch = realpathSync(req.scratchDir);
    const hidden = (req.hidden ?? []).map((h) => {
      try {
        return realpathSync(h);
      } catch {
        return h;
      }
    });
    const layout = planNamespaceLayout(rootfs, scratch, hidden);
    const created = [...layout.created];
    const lines = ['set -e', ...layout.mounts.flatMap((m) => mountLines(m, t))];
    let n = 0;
    for (const m of req.mounts) {
      const target = join(rootfs, m.target);
      created.push(...missingAncestors(rootfs, m.target));
      lines.push(m.kind === 'dir' ? `${t.mkdir} -p ${q(target)}` : `${t.mkdir} -p ${q(join(target, '..'))}; ${t.touch} ${q(target)}`);
      if (m.discardWrites) {
        const base = join(scratch, `rw${n++}`);
        mkdirSync(join(base, 'upper'), { recursive: true });
        mkdirSync(join(base, 'work'), { recursive: true });
        lines.push(overlayLine(m.source, join(base, 'upper'), join(base, 'work'), target, t.mount));
      } else {
        lines.push(`${t.mount} --bind ${q(m.source)} ${q(target)}`);
        if (m.readonly) lines.push(`${t.mount} -o remount,bind,ro ${q(target)}`);
      }
    }
    lines.push(`exec ${t.chroot} ${q(rootfs)} /bin/sh -c 'cd -- "$1" && shift && exec "$@"' ocibake-run "$@"`);
    const flags = ['--user', '--map-root-user', '--mount', '--propagation', 'private'];
    if (req.network === 'none') flags.push('--net');
    try {
      return await spawnRun(t.unshare, [...flags, '--', t.sh, '-c', lines.join('\n'), 'ocibake-ns', req.cwd, ...req.argv], req);
    } finally {
      removeCreated(created);
      removeScratch(scratch);
    }
  }
}

let probed: { tools?: NsTools; why?: string } | undefined;

/**
 * `probeNamespace` checks once per process that a user + mount namespace can be created and an
 * overlay mounted in it, and returns the tools, or the reason it cannot.
 */
export function probeNamespace(): { tools?: NsTools; why?: string } {
  if (probed) return probed;
  const names = ['unshare', 'sh', 'mount', 'mkdir', 'touch', 'chroot'] as const;
  const path = `${process.env['PATH'] ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`;
  const found: Partial<NsTools> = {};
  for (const name of names) {
    const p = which(name, path);
    if (!p) return (probed = { why: `${name} is not installed` });
    found[name] = p;
  }
  const tools = found as NsTools;
  const dir = mkdtempSync(join(tmpdir(), 'ocibake-probe-'));
  try {
    for (const d of ['lower', 'upper', 'work', 'merged']) mkdirSync(join(dir, d));
    const script = `${tools.mount} -t overlay overlay -o lowerdir=${dir}/lower,upperdir=${dir}/upper,workdir=${dir}/work ${dir}/merged`;
    const res = spawnSync(tools.unshare, ['--user', '--map-root-user', '--mount', '--propagation', 'private', '--', tools.sh, '-c', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    if (res.status !== 0) return (probed = { why: `unshare/overlay failed: ${(res.stderr || res.error?.message || '').trim().split('\n')[0]}` });
  } finally {
    removeScratch(dir);
  }
  return (probed = { tools });
}
