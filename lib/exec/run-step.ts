import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { RunInstruction } from '../dockerfile/instructions.js';
import type { Step } from '../plan/types.js';
import type { ProgressSink } from '../progress.js';
import type { ExecMount, Executor } from './executor.js';
import { LineBuffer } from './line-buffer.js';
import { resolveRunMounts, type MountContext } from './run-mounts.js';
import { runFailed } from './errors.js';
import { mergePath } from './run-env.js';
import { runArgv } from '../plan/run-argv.js';

/** `RunStepContext` is what a RUN needs besides the step itself. */
export interface RunStepContext {
  executor: Executor;
  rootfs: string;
  /** Private per-RUN dir next to the rootfs (same filesystem), removed afterwards. */
  scratchDir: string;
  dockerfile: string;
  /** Instance key and platform, carried on every log event. */
  key: string;
  platform?: string | undefined;
  /** `linux/arm64 build`: names the instance in error messages. */
  label: string;
  /** Host PATH/HOME, cross-compile variables, tool cache dirs: overridden by the step's own env. */
  baseEnv: Record<string, string>;
  mounts: Omit<MountContext, 'scratchDir' | 'workdir'>;
  /** Always-present read-write mounts (tool caches such as GOCACHE, at their host path). */
  toolMounts: ExecMount[];
  hidden: string[];
  signal?: AbortSignal | undefined;
  onEvent: ProgressSink;
}

/**
 * `runRunStep` executes one RUN on the host: environment = base env < the step's ENV/ARGs <
 * secret env vars; output is streamed line by line as `log` events (secrets masked); a non-zero
 * exit becomes a `RunFailedError` with the Dockerfile line and the last lines of output.
 */
export async function runRunStep(step: Step, instr: RunInstruction, ctx: RunStepContext): Promise<void> {
  mkdirSync(ctx.scratchDir, { recursive: true });
  mkdirSync(join(ctx.rootfs, step.workdir), { recursive: true });
  const secrets = ctx.mounts.secrets;
  try {
    const resolved = resolveRunMounts(instr.mounts, { ...ctx.mounts, scratchDir: ctx.scratchDir, workdir: step.workdir });
    const env = { ...ctx.baseEnv, ...step.env, ...resolved.env };
    env['PATH'] = mergePath(step.env['PATH'], ctx.baseEnv['PATH']);
    const buffers = (['stdout', 'stderr'] as const).map(
      (stream) => new LineBuffer((line) => ctx.onEvent({ type: 'log', key: ctx.key, platform: ctx.platform, stream, line: secrets.redact(line) })),
    );
    const [out, err] = buffers as [LineBuffer, LineBuffer];
    const res = await ctx.executor.run({
      rootfs: ctx.rootfs,
      scratchDir: ctx.scratchDir,
      argv: runArgv(instr, step.shell),
      env,
      cwd: step.workdir,
      mounts: [...ctx.toolMounts, ...resolved.mounts],
      hidden: ctx.hidden,
      network: instr.network,
      signal: ctx.signal,
      onStdout: (c) => out.push(c),
      onStderr: (c) => err.push(c),
    });
    out.flush();
    err.flush();
    if (res.exitCode !== 0) {
      const tail = [...out.tail(), ...err.tail()].slice(-15).map((l) => secrets.redact(l));
      const command = instr.command.form === 'exec' ? JSON.stringify(instr.command.argv) : instr.command.text;
      throw runFailed({
        file: ctx.dockerfile,
        line: instr.range.startLine,
        command: secrets.redact(command),
        exitCode: res.exitCode,
        signal: res.signal,
        outputTail: tail,
        stage: ctx.label,
      });
    }
  } finally {
    rmSync(ctx.scratchDir, { recursive: true, force: true });
  }
}
