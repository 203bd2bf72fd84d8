import { mkdir, readFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildPlan, StageInstance } from '../plan/types.js';
import { parseUserDb } from '../context/owner.js';
import { resolveCopy } from '../context/resolve-copy.js';
import { SourceTree } from '../context/source-tree.js';
import { writeEntries } from '../context/write-entries.js';
import { copySpecOf, findDep } from './instance-inputs.js';
import { copyTree } from './copy-tree.js';
import { runRunStep, type RunStepContext } from './run-step.js';
import { ExecError } from './errors.js';

/** `InstanceRunContext` is what executing one instance needs; `step` carries the RUN plumbing. */
export interface InstanceRunContext {
  plan: BuildPlan;
  /** Where this instance builds: `<dir>/rootfs` plus per-RUN scratch dirs beside it. */
  dir: string;
  context: SourceTree;
  depRootfs(key: string): string;
  run: Omit<RunStepContext, 'rootfs' | 'scratchDir'>;
  onStep(index: number, total: number, text: string): void;
}

/**
 * `executeInstance` builds one host stage instance into `<dir>/rootfs`: start from the base
 * (empty, or a copy of the base stage's output), then apply each step in order. COPY/ADD write
 * resolved entries; RUN executes on the host; WORKDIR creates its directory; everything else
 * (ENV, ARG, USER, LABEL, ...) is already folded into later steps by the planner.
 */
export async function executeInstance(inst: StageInstance, ctx: InstanceRunContext): Promise<string> {
  const rootfs = join(ctx.dir, 'rootfs');
  if (inst.base.type === 'stage') {
    await mkdir(ctx.dir, { recursive: true });
    await copyTree(ctx.depRootfs(inst.base.key), rootfs);
  } else {
    await mkdir(rootfs, { recursive: true });
  }
  const total = inst.steps.length;
  for (const [n, step] of inst.steps.entries()) {
    const i = step.instruction;
    ctx.onStep(n + 1, total, i.text);
    switch (i.kind) {
      case 'WORKDIR':
        // The planner gives a WORKDIR step the directory it establishes (relative paths resolved).
        await mkdir(join(rootfs, step.workdir), { recursive: true });
        break;
      case 'COPY':
      case 'ADD': {
        const spec = copySpecOf(step)!;
        const destIsDir = (p: string): boolean => {
          try {
            return statSync(join(rootfs, p)).isDirectory();
          } catch {
            return false;
          }
        };
        const users = parseUserDb(
          await readFile(join(rootfs, 'etc/passwd'), 'utf8').catch(() => ''),
          await readFile(join(rootfs, 'etc/group'), 'utf8').catch(() => ''),
        );
        const tmpDir = join(ctx.dir, `copy-${n}`);
        let tree = ctx.context;
        if (i.kind === 'COPY' && i.from !== undefined) {
          const dep = findDep(ctx.plan, inst, i.from, step.fromKey);
          if (!dep) throw new ExecError('OCIBAKE_EXEC', `${inst.key}: COPY --from=${i.from} names no stage this instance depends on`);
          tree = new SourceTree(ctx.depRootfs(dep), `stage ${i.from}`);
        }
        const entries = await resolveCopy(spec, tree, { destIsDir, users, tmpDir });
        await writeEntries(rootfs, entries);
        break;
      }
      case 'RUN':
        await runRunStep(step, i, { ...ctx.run, rootfs, scratchDir: join(ctx.dir, `scratch-${n}`) });
        break;
      default:
        break;
    }
  }
  return rootfs;
}
