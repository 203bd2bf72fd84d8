import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync, chmodSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { RunMount } from '../dockerfile/instructions.js';
import type { ExecMount } from './executor.js';
import type { SecretStore } from './secrets.js';
import { ExecError } from './errors.js';

/** `MountContext` is what a RUN's `--mount` flags can refer to. */
export interface MountContext {
  /** Root of the persistent `type=cache` dirs (`<cacheDir>/mounts`). */
  cacheMountsDir: string;
  contextDir: string;
  /** Output dir of a stage named by `from=` (already built: it is a dependency). */
  stageRootfs(from: string): string;
  secrets: SecretStore;
  /** Private dir outside the stage for secret files; removed after the RUN. */
  scratchDir: string;
  workdir: string;
}

/** `ResolvedMounts` are the executor mounts plus environment variables (`type=secret,env=`). */
export interface ResolvedMounts {
  mounts: ExecMount[];
  env: Record<string, string>;
}

/**
 * `cacheMountDir` is the persistent host dir of a `type=cache` mount: one per id (the target
 * path when no id is given, as BuildKit does), so Go/npm/cargo caches survive across builds.
 */
export function cacheMountDir(root: string, m: { id?: string | undefined; target: string }): string {
  const id = m.id ?? m.target;
  const safe = id.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 40);
  return join(root, `${safe}-${createHash('sha256').update(id).digest('hex').slice(0, 12)}`);
}

/**
 * `resolveRunMounts` maps `RUN --mount=...` to host paths. Secrets are written to a 0600 file in
 * the private scratch dir (never inside the stage) or passed as an environment variable only.
 */
export function resolveRunMounts(mounts: readonly RunMount[], ctx: MountContext): ResolvedMounts {
  const out: ResolvedMounts = { mounts: [], env: {} };
  const abs = (t: string): string => posix.resolve(ctx.workdir, t);
  let n = 0;
  for (const m of mounts) {
    switch (m.type) {
      case 'cache': {
        const dir = cacheMountDir(ctx.cacheMountsDir, m);
        mkdirSync(dir, { recursive: true });
        out.mounts.push({ target: abs(m.target), source: dir, kind: 'dir', readonly: m.readonly });
        break;
      }
      case 'secret': {
        if (!ctx.secrets.has(m.id) && !m.required) break;
        const value = ctx.secrets.get(m.id);
        if (m.env) out.env[m.env] = value.toString('utf8');
        if (m.target || !m.env) {
          const dir = join(ctx.scratchDir, 'secrets');
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          const file = join(dir, `s${n++}`);
          writeFileSync(file, value, { mode: m.mode ?? 0o400 });
          chmodSync(file, m.mode ?? 0o400);
          out.mounts.push({ target: abs(m.target ?? `/run/secrets/${m.id}`), source: file, kind: 'file', readonly: true });
        }
        break;
      }
      case 'bind': {
        const base = m.from ? ctx.stageRootfs(m.from) : ctx.contextDir;
        const source = join(base, posix.normalize(`/${m.source ?? '.'}`));
        let isDir: boolean;
        try {
          isDir = statSync(source).isDirectory();
        } catch {
          throw new ExecError(
            'OCIBAKE_EXEC',
            `RUN --mount=type=bind: source ${m.source ?? '.'} not found in ${m.from ? `stage ${m.from}` : 'the build context'}`,
            { hint: 'check source= (relative to the context or the from= stage)' },
          );
        }
        out.mounts.push({ target: abs(m.target), source, kind: isDir ? 'dir' : 'file', readonly: !m.readwrite, discardWrites: m.readwrite && isDir });
        break;
      }
      case 'tmpfs': {
        const dir = join(ctx.scratchDir, `tmpfs${n++}`);
        mkdirSync(dir, { recursive: true });
        out.mounts.push({ target: abs(m.target), source: dir, kind: 'dir', readonly: false });
        break;
      }
      case 'ssh':
        throw new ExecError('OCIBAKE_EXEC', 'RUN --mount=type=ssh is not supported by ocibake', {
          hint: 'fetch private sources with a secret mount (--mount=type=secret) instead',
        });
    }
  }
  return out;
}
