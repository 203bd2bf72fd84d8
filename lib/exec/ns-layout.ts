import { lstatSync, mkdirSync, readdirSync, readlinkSync, rmdirSync, statSync, symlinkSync, unlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `NsMount` is one mount the namespace runner performs before `chroot`-ing into the stage.
 * - `rbind`: the host's own /proc, /dev, /sys (kernel interfaces, shared as they are).
 * - `overlay`: a host directory with the stage's directory of the same path as upper layer, so
 *   the host's toolchains are visible and anything a RUN writes there lands in the stage.
 * - `bind`: a host file read-only (where the stage has no file of that name).
 */
export type NsMount =
  | { op: 'rbind'; source: string; target: string }
  | { op: 'overlay'; lower: string; upper: string; work: string }
  | { op: 'bind'; source: string; target: string; readonly: boolean };

/** `NsLayout` is the mount plan for one RUN plus what was created in the stage to mount on. */
export interface NsLayout {
  mounts: NsMount[];
  /** Paths created in the stage dir for mount points; removed again after the RUN if still empty. */
  created: string[];
}

// Kernel filesystems come from the host as they are. /tmp is the stage's own, as in a container.
const KERNEL = new Set(['proc', 'dev', 'sys']);
const SKIP = new Set(['tmp', 'lost+found']);

/**
 * `planNamespaceLayout` decides how each host top-level entry appears inside the stage root.
 * An overlay whose upper dir lies inside its lower dir is refused by the kernel (ELOOP, "overlapping
 * layers"), so a host directory that contains the stage dir or the scratch dir (`/tmp`, `/root`
 * when the cache is in `~/.cache`) is not overlaid as a whole: it is descended into and each child
 * handled the same way, while paths inside the stage and scratch dirs stay hidden.
 *
 * It creates the mount points in `rootfs` (empty dirs and files, symlinks mirroring the host's
 * `/bin -> usr/bin`) and lists them in `created`.
 */
export function planNamespaceLayout(rootfs: string, scratch: string, hidden: string[] = []): NsLayout {
  const layout: NsLayout = { mounts: [], created: [] };
  const guard = [rootfs, scratch, ...hidden];
  let n = 0;
  const workDir = (): string => {
    const w = join(scratch, 'ovl', String(n++));
    mkdirSync(w, { recursive: true });
    return w;
  };
  const ensure = (p: string, kind: 'dir' | 'file'): boolean => {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      if (kind === 'dir') mkdirSync(p);
      else writeFileSync(p, '');
      layout.created.push(p);
      return true;
    }
    return kind === 'dir' ? st.isDirectory() : st.isFile();
  };

  const visit = (hostDir: string, stageDir: string, top: boolean): void => {
    for (const name of readdirSync(hostDir).sort()) {
      if (top && SKIP.has(name)) continue;
      const host = join(hostDir, name);
      const stage = join(stageDir, name);
      if (guard.some((g) => host === g || host.startsWith(`${g}/`))) continue;
      let st;
      try {
        st = lstatSync(host);
      } catch {
        continue;
      }
      if (top && KERNEL.has(name)) {
        if (ensure(stage, 'dir')) layout.mounts.push({ op: 'rbind', source: host, target: stage });
        continue;
      }
      if (st.isSymbolicLink()) {
        mirrorSymlink(host, stage, layout);
        continue;
      }
      if (st.isDirectory()) {
        if (guard.some((g) => g.startsWith(`${host}/`))) {
          if (ensure(stage, 'dir')) visit(host, stage, false);
          continue;
        }
        if (ensure(stage, 'dir')) layout.mounts.push({ op: 'overlay', lower: host, upper: stage, work: workDir() });
        continue;
      }
      if (st.isFile()) {
        let stageHas = false;
        try {
          lstatSync(stage);
          stageHas = true;
        } catch {
          /* absent */
        }
        if (!stageHas && ensure(stage, 'file')) layout.mounts.push({ op: 'bind', source: host, target: stage, readonly: true });
      }
    }
  };
  visit('/', rootfs, true);
  ensureTmp(join(rootfs, 'tmp'), layout);
  return layout;
}

function mirrorSymlink(host: string, stage: string, layout: NsLayout): void {
  try {
    lstatSync(stage);
    return;
  } catch {
    /* absent: mirror it */
  }
  symlinkSync(readlinkSync(host), stage);
  layout.created.push(stage);
}

function ensureTmp(p: string, layout: NsLayout): void {
  try {
    lstatSync(p);
  } catch {
    mkdirSync(p);
    chmodSync(p, 0o1777);
    layout.created.push(p);
  }
}

/**
 * `missingAncestors` lists `target` and its ancestors under `rootfs` that do not exist in the
 * stage dir yet, outermost first: the mount points a RUN mount will create and cleanup removes.
 */
export function missingAncestors(rootfs: string, target: string): string[] {
  const parts = target.split('/').filter((s) => s !== '');
  const out: string[] = [];
  let cur = rootfs;
  for (const part of parts) {
    cur = join(cur, part);
    if (out.length > 0) {
      out.push(cur);
      continue;
    }
    try {
      lstatSync(cur);
    } catch {
      out.push(cur);
    }
  }
  return out;
}

/**
 * `removeCreated` undoes mount-point scaffolding after a RUN: deepest first, it removes each
 * created path that is still an empty dir, an empty file or a symlink, and keeps anything the RUN
 * filled (a RUN that writes into /usr/local/bin keeps that dir in the stage).
 */
export function removeCreated(paths: string[]): void {
  for (const p of [...new Set(paths)].sort((a, b) => b.length - a.length)) {
    let st;
    try {
      st = lstatSync(p);
    } catch {
      continue;
    }
    try {
      if (st.isDirectory()) rmdirSync(p);
      else if (st.isSymbolicLink() || (st.isFile() && statSync(p).size === 0)) unlinkSync(p);
    } catch {
      /* not empty: the RUN wrote there, keep it */
    }
  }
}
