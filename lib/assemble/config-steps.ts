import type { ContainerConfig, HistoryEntry, ImageConfig } from '../oci/manifest.js';
import type { CommandForm, Instruction } from '../dockerfile/instructions.js';
import type { Step } from '../plan/types.js';

/** The PATH BuildKit gives a Linux image whose base sets none (e.g. `FROM scratch`). */
export const DEFAULT_LINUX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `ConfigState` is the image config being assembled for a target stage, plus whether CMD was set in this stage. */
export interface ConfigState {
  config: ContainerConfig;
  author?: string;
  /** BuildKit: ENTRYPOINT clears an inherited CMD, but not a CMD set earlier in the same stage. */
  cmdSetInStage: boolean;
}

/** `initialConfigState` starts from a base image's config (a copy) and adds the default PATH when missing. */
export function initialConfigState(base: ImageConfig | undefined): ConfigState {
  const config: ContainerConfig = structuredClone(base?.config ?? {});
  const env = config.Env ?? [];
  if (!env.some((e) => e.startsWith('PATH='))) config.Env = [`PATH=${DEFAULT_LINUX_PATH}`, ...env];
  const state: ConfigState = { config, cmdSetInStage: false };
  if (base?.author) state.author = base.author;
  return state;
}

function toArgv(cmd: CommandForm, shell: string[]): string[] {
  return cmd.form === 'exec' ? [...cmd.argv] : [...shell, cmd.text];
}

function setEnv(config: ContainerConfig, key: string, value: string): void {
  // Docker replaces a variable in place (keeps its position) and appends new ones.
  const env = [...(config.Env ?? [])];
  const i = env.findIndex((e) => e.startsWith(`${key}=`));
  if (i >= 0) env[i] = `${key}=${value}`;
  else env.push(`${key}=${value}`);
  config.Env = env;
}

function portKey(port: string): string {
  return port.includes('/') ? port.toLowerCase() : `${port}/tcp`;
}

/**
 * `applyConfigStep` applies one no-exec instruction to the image config exactly as Docker does,
 * and returns true when it handled the instruction (COPY/ADD/RUN/ARG are not config steps).
 *
 *   ENV A=1      → Env ["PATH=…", "A=1"]
 *   ENTRYPOINT … → Entrypoint set, inherited Cmd cleared
 */
export function applyConfigStep(state: ConfigState, step: Step): boolean {
  const ins: Instruction = step.instruction;
  const c = state.config;
  switch (ins.kind) {
    case 'ENV':
      for (const { key, value } of ins.pairs) setEnv(c, key, value);
      return true;
    case 'LABEL':
      c.Labels = { ...(c.Labels ?? {}) };
      for (const { key, value } of ins.pairs) c.Labels[key] = value;
      return true;
    case 'CMD':
      c.Cmd = toArgv(ins.command, step.shell);
      state.cmdSetInStage = true;
      return true;
    case 'ENTRYPOINT':
      c.Entrypoint = toArgv(ins.command, step.shell);
      if (!state.cmdSetInStage) c.Cmd = null;
      return true;
    case 'WORKDIR':
      c.WorkingDir = step.workdir;
      return true;
    case 'USER':
      c.User = ins.user;
      return true;
    case 'EXPOSE':
      c.ExposedPorts = { ...(c.ExposedPorts ?? {}) };
      for (const p of ins.ports) c.ExposedPorts[portKey(p)] = {};
      return true;
    case 'VOLUME':
      c.Volumes = { ...(c.Volumes ?? {}) };
      for (const p of ins.paths) c.Volumes[p] = {};
      return true;
    case 'STOPSIGNAL':
      c.StopSignal = ins.signal;
      return true;
    case 'HEALTHCHECK':
      if (ins.test === 'none') {
        c.Healthcheck = { Test: ['NONE'] };
      } else {
        const hc: NonNullable<ContainerConfig['Healthcheck']> = {
          Test: ins.test.form === 'exec' ? ['CMD', ...ins.test.argv] : ['CMD-SHELL', ins.test.text],
        };
        if (ins.interval !== undefined) hc.Interval = ins.interval;
        if (ins.timeout !== undefined) hc.Timeout = ins.timeout;
        if (ins.startPeriod !== undefined) hc.StartPeriod = ins.startPeriod;
        if (ins.startInterval !== undefined) hc.StartInterval = ins.startInterval;
        if (ins.retries !== undefined) hc.Retries = ins.retries;
        c.Healthcheck = hc;
      }
      return true;
    case 'SHELL':
      c.Shell = [...ins.argv];
      return true;
    case 'ONBUILD':
      c.OnBuild = [...(c.OnBuild ?? []), ins.expression];
      return true;
    case 'MAINTAINER':
      state.author = ins.name;
      return true;
    case 'ARG':
    case 'RUN':
    case 'COPY':
    case 'ADD':
      return false;
    default: {
      const never: never = ins;
      return never;
    }
  }
}

/** `historyFor` is the history entry Docker-compatible tools show for a step (`docker history`). */
export function historyFor(ins: Instruction, created: string, emptyLayer: boolean): HistoryEntry {
  const entry: HistoryEntry = { created, created_by: `${ins.text.replace(/\s+/g, ' ').trim()} # ocibake`, comment: 'ocibake.dockerfile.v0' };
  if (emptyLayer) entry.empty_layer = true;
  return entry;
}
