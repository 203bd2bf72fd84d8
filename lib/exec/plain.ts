import { copyFileSync, lstatSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ExecRequest, ExecResult, Executor } from './executor.js';
import { missingAncestors, removeCreated } from './ns-layout.js';
import { spawnRun } from './spawn-run.js';

/**
 * `PlainExecutor` runs a RUN directly on the host with its working directory mapped into the
 * stage dir (`WORKDIR /src` → `<rootfs>/src`). Absolute paths in the command are NOT mapped:
 * `gcc /src/main.c` looks at the host's /src. It is the fallback where namespaces are
 * unavailable, and `--executor=plain`. Mounts appear inside the stage dir at their target (cache
 * and bind as symlinks, secrets as a copied file deleted right after the RUN).
 */
export class PlainExecutor implements Executor {
  readonly name = 'plain' as const;

  async run(req: ExecRequest): Promise<ExecResult> {
    const created: string[] = [];
    const secretCopies: string[] = [];
    for (const m of req.mounts) {
      const at = join(req.rootfs, m.target);
      created.push(...missingAncestors(req.rootfs, m.target));
      mkdirSync(dirname(at), { recursive: true });
      if (exists(at) && m.kind === 'dir') continue;
      if (m.kind === 'file') {
        copyFileSync(m.source, at);
        secretCopies.push(at);
      } else {
        symlinkSync(m.source, at);
      }
    }
    const cwd = join(req.rootfs, req.cwd);
    mkdirSync(cwd, { recursive: true });
    try {
      const [cmd, ...args] = req.argv;
      return await spawnRun(cmd!, args, req, cwd);
    } finally {
      for (const f of secretCopies) rmSync(f, { force: true });
      removeCreated(created);
    }
  }
}

function exists(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}
