import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { RunMount } from '../dockerfile/instructions.js';
import type { PathFilter } from '../context/entry.js';
import { ExecError } from '../exec/errors.js';
import type { SecretStore } from '../exec/secrets.js';
import { cacheMountDir } from '../exec/run-mounts.js';
import type { SandboxMount } from '../sandbox/script.js';
import type { ChainView } from '../snapshot/chain-view.js';
import { contextMask } from './context-mask.js';

/** A stage or image another mount reads: its snapshot dirs (lowest first) and a view of them. */
export interface MountSourceFs {
  dirs: string[];
  view: ChainView;
  label: string;
}

/** What `runMounts` needs to turn `--mount` flags into sandbox mounts. */
export interface RunMountContext {
  /** The stage's own filesystem: targets are resolved through its symlinks. */
  view: ChainView;
  workdir: string;
  scratch: string;
  cacheMountsDir: string;
  contextDir: string;
  ignore: PathFilter;
  secrets: SecretStore;
  /** The filesystem a `from=` names (a stage of the Dockerfile or an image), by mount position. */
  from: (index: number) => Promise<MountSourceFs>;
  /** Locks for `sharing=locked` cache mounts, shared by the build. */
  locks: CacheLocks;
}

/** `ResolvedRunMounts` are the sandbox mounts, extra environment, and what to release after the RUN. */
export interface ResolvedRunMounts {
  mounts: SandboxMount[];
  env: Record<string, string>;
  release(): void;
}

/**
 * `CacheLocks` serialises `sharing=locked` cache mounts, and hands `sharing=private` ones a
 * directory of their own while another RUN uses the shared one (BuildKit's semantics).
 */
export class CacheLocks {
  readonly #busy = new Map<string, number>();
  readonly #locked = new Map<string, Promise<void>>();

  /** `acquire` waits for a locked dir; returns the directory to use and its release. */
  async acquire(dir: string, sharing: 'shared' | 'private' | 'locked', scratch: string): Promise<{ dir: string; release: () => void }> {
    if (sharing === 'locked') {
      const previous = this.#locked.get(dir) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((r) => (release = r));
      this.#locked.set(
        dir,
        previous.then(() => mine),
      );
      await previous;
      return { dir, release };
    }
    if (sharing === 'private' && (this.#busy.get(dir) ?? 0) > 0) {
      const own = join(scratch, `private-cache-${Math.random().toString(36).slice(2)}`);
      mkdirSync(own, { recursive: true });
      return { dir: own, release: () => {} };
    }
    this.#busy.set(dir, (this.#busy.get(dir) ?? 0) + 1);
    return { dir, release: () => this.#busy.set(dir, (this.#busy.get(dir) ?? 1) - 1) };
  }
}

/** Short symlinks to a stage's snapshot dirs, so its overlay's options stay under a page. */
function linkLowers(dir: string, lowers: readonly string[]): string[] {
  mkdirSync(dir, { recursive: true });
  return lowers.map((l, i) => {
    const p = join(dir, `l${i}`);
    symlinkSync(l, p);
    return p;
  });
}

/**
 * `runMounts` maps `RUN --mount` to sandbox mounts with BuildKit's semantics: `cache` (a
 * persistent dir per id, shared/private/locked, owned as asked), `secret` (a file only this RUN
 * sees, or an env var; the value never reaches a layer, a log or the cache), `bind` (the build
 * context without what .dockerignore excludes, another stage or an image; read-only, or writable
 * with the writes thrown away), `tmpfs`, and `ssh` (the host's agent socket). Targets are
 * resolved inside the stage (relative ones against WORKDIR), through its symlinks.
 */
export async function runMounts(mounts: readonly RunMount[], ctx: RunMountContext): Promise<ResolvedRunMounts> {
  const releases: (() => void)[] = [];
  try {
    return await collectMounts(mounts, ctx, releases);
  } catch (err) {
    // A mount that fails after a cache lease was taken must give it back: a locked cache would wait forever.
    releases.forEach((r) => r());
    throw err;
  }
}

async function collectMounts(mounts: readonly RunMount[], ctx: RunMountContext, releases: (() => void)[]): Promise<ResolvedRunMounts> {
  const out: SandboxMount[] = [];
  const env: Record<string, string> = {};
  const target = async (t: string): Promise<string> => ctx.view.resolve(posix.resolve(ctx.workdir, t || '.'), true);
  for (const [i, m] of mounts.entries()) {
    switch (m.type) {
      case 'cache': {
        const shared = cacheMountDir(ctx.cacheMountsDir, m);
        mkdirSync(shared, { recursive: true });
        const lease = await ctx.locks.acquire(shared, m.sharing ?? 'shared', ctx.scratch);
        releases.push(lease.release);
        const owner = m.uid !== undefined || m.gid !== undefined ? { uid: m.uid ?? 0, gid: m.gid ?? 0 } : undefined;
        out.push({ kind: 'bind', source: lease.dir, target: await target(m.target), file: false, readonly: m.readonly, owner, mode: m.mode });
        break;
      }
      case 'secret': {
        if (!ctx.secrets.has(m.id)) {
          if (m.required)
            throw new ExecError('OCIBAKE_SECRET', `secret "${m.id}" is required by RUN --mount=type=secret but was not given`, {
              hint: `pass --secret id=${m.id},src=FILE or --secret id=${m.id},env=VAR`,
            });
          break;
        }
        const value = ctx.secrets.get(m.id);
        if (m.env) env[m.env] = value.toString('utf8');
        if (m.target || !m.env) {
          const dir = join(ctx.scratch, 'secrets');
          mkdirSync(dir, { recursive: true, mode: 0o700 });
          const file = join(dir, `s${i}`);
          writeFileSync(file, value, { mode: 0o600 });
          chmodSync(file, 0o600);
          out.push({
            kind: 'bind',
            source: file,
            target: await target(m.target ?? `/run/secrets/${m.id}`),
            file: true,
            readonly: true,
            owner: { uid: m.uid ?? 0, gid: m.gid ?? 0 },
            mode: m.mode ?? 0o400,
          });
        }
        break;
      }
      case 'bind': {
        const t = await target(m.target);
        if (m.from === undefined) {
          const source = posix.normalize(`/${m.source ?? '.'}`);
          const mask = await contextMask(ctx.contextDir, source, ctx.ignore, join(ctx.scratch, `mask${i}`));
          const lowers = mask.masked ? linkLowers(join(ctx.scratch, `m${i}`), [mask.source, mask.dir]) : [mask.source];
          const upper = m.readwrite ? scratchUpper(ctx.scratch, i) : undefined;
          out.push(
            lowers.length === 1 && !upper
              ? { kind: 'bind', source: mask.source, target: t, file: mask.file, readonly: true }
              : { kind: 'overlay', lowers, target: t, upper },
          );
          break;
        }
        const src = await ctx.from(i);
        const sub = await src.view.resolve(posix.normalize(`/${m.source ?? '.'}`), true);
        const st = await src.view.stat(sub);
        if (!st)
          throw new ExecError('OCIBAKE_EXEC', `RUN --mount=type=bind: source ${m.source ?? '/'} not found in ${src.label}`, {
            hint: 'check source= (a path in the from= stage or image)',
          });
        const lowers = linkLowers(join(ctx.scratch, `m${i}`), src.dirs);
        const upper = m.readwrite ? scratchUpper(ctx.scratch, i) : undefined;
        const staging = join(ctx.scratch, `staging${i}`);
        if (sub !== '/') mkdirSync(staging, { recursive: true });
        out.push({ kind: 'overlay', lowers, target: t, upper, subpath: sub === '/' ? undefined : { path: sub, staging } });
        break;
      }
      case 'tmpfs':
        out.push({ kind: 'tmpfs', target: await target(m.target), size: m.size });
        break;
      case 'ssh': {
        const sock = process.env['SSH_AUTH_SOCK'];
        if (!sock) {
          if (m.required)
            throw new ExecError('OCIBAKE_EXEC', 'RUN --mount=type=ssh needs an SSH agent, and SSH_AUTH_SOCK is not set', {
              hint: 'start ssh-agent and ssh-add your key, or use a secret mount',
            });
          break;
        }
        const at = await target(m.target ?? `/run/buildkit/ssh_agent.${i}`);
        out.push({ kind: 'bind', source: sock, target: at, file: true, readonly: false });
        env['SSH_AUTH_SOCK'] = at;
        break;
      }
    }
  }
  return { mounts: out, env, release: () => releases.forEach((r) => r()) };
}

function scratchUpper(scratch: string, i: number): { upper: string; work: string } {
  const u = { upper: join(scratch, `rw${i}`, 'upper'), work: join(scratch, `rw${i}`, 'work') };
  mkdirSync(u.upper, { recursive: true });
  mkdirSync(u.work, { recursive: true });
  return u;
}
