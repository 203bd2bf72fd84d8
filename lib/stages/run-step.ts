import { readdir, stat, writeFile } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { RunInstruction } from '../dockerfile/instructions.js';
import { RunFailedError, runFailed } from '../exec/errors.js';
import { LineBuffer } from '../exec/line-buffer.js';
import { writeTarLayer } from '../layer/write-layer.js';
import { runArgv } from '../plan/run-argv.js';
import { DEFAULT_LINUX_PATH } from '../plan/stage-state.js';
import type { Step } from '../plan/types.js';
import { oneUidLimit } from '../sandbox/caps.js';
import type { Execution } from '../sandbox/emulation.js';
import { SandboxError } from '../sandbox/errors.js';
import { runInSandbox } from '../sandbox/run.js';
import type { SandboxMount } from '../sandbox/script.js';
import type { CrossHelp } from './cross-help.js';
import type { ChainView } from '../snapshot/chain-view.js';
import type { Snapshot } from '../snapshot/store.js';
import { runMounts, type MountSourceFs } from './run-mounts.js';
import { resolveRunUser } from './run-user.js';
import type { StageContext } from './stage-context.js';
import type { StepRecord } from './step-records.js';

/** Where a RUN happens: its stage's filesystem, which stage it is, and how its CPU runs. */
export interface RunSite {
  key: string;
  snapshots: Snapshot[];
  view: ChainView;
  /** `[linux/arm64 build 3/7]`-style names for messages and log lines. */
  instance: string;
  platform?: string | undefined;
  label: string;
  execution: Execution;
  /** Whether the stage becomes (part of) an image: then the RUN's diff is written as a layer. */
  needsLayer: boolean;
  /** The filesystem of the `from=` of mount `index`. */
  mountSource: (index: number) => Promise<MountSourceFs>;
  /** `--cross-env` help for this stage's target, when it builds for one. */
  cross?: CrossHelp | undefined;
}

/** apt drops privileges to `_apt`, which a one-uid namespace cannot switch to; this keeps apt as root there. */
const APT_SANDBOX_SHIM = 'APT::Sandbox::User "root";\n';

async function read(view: ChainView, path: string): Promise<string> {
  try {
    return (await view.readFile(path)).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * `runStep` executes one RUN in its stage's own root filesystem (`runInSandbox`): as the stage's
 * USER (resolved in the stage's /etc/passwd), in its WORKDIR, with exactly the environment BuildKit
 * gives it (the image's Env, the stage's ENV and the ARGs in scope; PATH and HOME defaulted like
 * runc), and its `--mount`s. Output streams as log lines with secrets masked. A zero exit turns
 * the overlay's upper dir into the step's result: a snapshot (renamed in, not copied) and, when
 * the stage is part of an image, a deterministic layer; a RUN that changed nothing has neither.
 */
export async function runStep(step: Step, ins: RunInstruction, site: RunSite, ctx: StageContext): Promise<StepRecord> {
  const t0 = Date.now();
  const user = resolveRunUser(step.user, await read(site.view, '/etc/passwd'), await read(site.view, '/etc/group'));
  const asRoot = user.uid === 0 && user.gid === 0;
  // Said before anything runs: inside, unshare's own setgroups would fail with a bare EPERM.
  if (!asRoot && ctx.caps.mode === 'userns-single') {
    throw new SandboxError('OCIBAKE_EXEC', `RUN as USER ${step.user ?? ''} (uid ${user.uid}, gid ${user.gid}) cannot run here: only root exists inside RUN`, {
      hint: oneUidLimit(ctx.caps),
    });
  }
  const scratch = await ctx.ops.store.scratch();
  try {
    const mounts = await runMounts(ins.mounts, {
      view: site.view,
      workdir: step.workdir,
      scratch,
      cacheMountsDir: ctx.cacheMountsDir,
      contextDir: ctx.contextDir,
      ignore: ctx.ignore,
      secrets: ctx.secrets,
      from: site.mountSource,
      locks: ctx.locks,
    });
    try {
      const extra = await extraMounts(site, scratch, ctx);
      const env: Record<string, string> = { ...(site.cross?.env ?? {}), ...step.env, ...mounts.env };
      env['PATH'] ??= DEFAULT_LINUX_PATH;
      env['HOME'] ??= user.home;
      const secrets = ctx.secrets;
      const log = (stream: 'stdout' | 'stderr') =>
        new LineBuffer((line) => ctx.progress({ type: 'log', key: site.instance, platform: site.platform, stream, line: secrets.redact(line) }));
      const out = log('stdout');
      const err = log('stderr');
      const sh = await site.view.stat('/bin/sh').catch(() => undefined);
      const resolvConfTarget = await site.view.resolve('/etc/resolv.conf', true);
      const hostsTarget = await site.view.resolve('/etc/hosts', true);
      const res = await ctx.runLimit(() =>
        runInSandbox({
          caps: ctx.caps,
          lowers: site.snapshots.map((s) => s.fs),
          scratch,
          argv: runArgv(ins, step.shell),
          cwd: step.workdir,
          env,
          // One uid cannot set groups at all: root keeps what the namespace gives it. Elsewhere the
          // ids are always set, which also drops the groups ocibake's own process has.
          user: asRoot && ctx.caps.mode === 'userns-single' ? undefined : { uid: user.uid, gid: user.gid, groups: user.groups },
          imageHasShell: sh !== undefined && !sh.stats.isDirectory(),
          privileged: ins.security === 'insecure',
          mounts: [...mounts.mounts, ...extra],
          network: ins.network ?? 'default',
          resolvConfTarget,
          hostsTarget,
          signal: ctx.signal,
          onStdout: (c) => out.push(c),
          onStderr: (c) => err.push(c),
        }),
      );
      out.flush();
      err.flush();
      if (res.exitCode !== 0) {
        const tail = [...out.tail(), ...err.tail()].slice(-15).map((l) => secrets.redact(l));
        const command = ins.command.form === 'exec' ? JSON.stringify(ins.command.argv) : ins.command.text;
        const failed = runFailed({
          file: ctx.dockerfile,
          line: ins.range.startLine,
          command: secrets.redact(command),
          exitCode: res.exitCode,
          signal: res.signal,
          outputTail: tail,
          stage: site.label,
        });
        // EINVAL is what chown, setgroups and setuid give for an id the namespace does not map.
        if (ctx.caps.mode === 'userns-single' && tail.some((l) => /Invalid argument/.test(l))) {
          throw new RunFailedError(failed.code, failed.message, {
            file: failed.file,
            line: failed.line,
            command: failed.command,
            exitCode: failed.exitCode,
            outputTail: failed.outputTail,
            hint: `${failed.hint ?? ''}\n${oneUidLimit(ctx.caps)}`,
          });
        }
        throw failed;
      }
      // The namespace is gone, and its mounts with it; the mount points it had to create are not the RUN's doing.
      await ctx.ops.remove(...(await emptyStubs(res.upper, res.stubs)).map((s) => join(res.upper, s)));
      const diff = await ctx.ops.diff(
        res.upper,
        site.snapshots.map((s) => s.dir),
        ctx.settings.sourceDateEpoch,
        // A build stage's RUN stays a snapshot: tarring hundreds of MB only to throw them away cost ~1.6 s for an apt step.
        { mountParents: stubParents(res.stubs), tar: site.needsLayer },
      );
      let layer: StepRecord['layer'] = null;
      if (diff.changed) {
        const s = ctx.settings;
        if (diff.tar) {
          const w = await writeTarLayer(diff.tar, { level: s.level, sourceDateEpoch: s.sourceDateEpoch, mediaTypes: s.format }, ctx.cache);
          layer = { descriptor: w.descriptor, diffId: w.diffId };
        } else layer = undefined;
      }
      await diff.done;
      const emulated = site.execution.kind === 'emulated';
      if (layer === null) return { layer: null, durationMs: Date.now() - t0, emulated };
      await ctx.ops.store.adopt(site.key, res.upper, diff.meta);
      return { layer, snapshot: site.key, durationMs: Date.now() - t0, emulated };
    } finally {
      mounts.release();
    }
  } finally {
    // An adopted upper dir is the snapshot now (renamed away); what is left is work dirs and mount points.
    await ctx.ops.remove(scratch).catch(() => {});
  }
}

/**
 * Mounts ocibake adds itself: zig for `--cross-env`, and in a one-uid namespace the apt setting
 * that keeps apt from dropping to `_apt` (a mount, so it never lands in a layer).
 */
async function extraMounts(site: RunSite, scratch: string, ctx: StageContext): Promise<SandboxMount[]> {
  const out: SandboxMount[] = (site.cross?.dirs ?? []).map((d) => ({ kind: 'bind', source: d, target: d, file: false, readonly: true }));
  if (ctx.caps.mode === 'userns-single' && (await site.view.stat('/etc/apt/apt.conf.d'))?.stats.isDirectory()) {
    const file = join(scratch, 'apt-sandbox.conf');
    await writeFile(file, APT_SANDBOX_SHIM);
    out.push({ kind: 'bind', source: file, target: '/etc/apt/apt.conf.d/00ocibake-one-uid', file: true, readonly: true });
  }
  return out;
}

/** Every directory above a mount point the sandbox made: making it copied them up (`DiffOptions.mountParents`). */
function stubParents(stubs: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of stubs) for (let p = posix.dirname(s); p !== '/' && p !== '.'; p = posix.dirname(p)) out.add(p);
  return [...out];
}

/** The mount points the sandbox made that are still empty: BuildKit leaves its mount stubs out of the layer. */
async function emptyStubs(upper: string, stubs: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const s of [...stubs].sort((a, b) => b.length - a.length)) {
    const p = join(upper, s);
    const st = await stat(p).catch(() => undefined);
    if (!st) continue;
    if (st.isDirectory()) {
      const names = await readdir(p).catch(() => ['?']);
      if (names.every((n) => out.includes(`${s}/${n}`))) out.push(s);
    } else if (st.size === 0) out.push(s);
  }
  return out;
}
