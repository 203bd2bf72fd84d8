import type { Where } from './result.js';

/** The PATH BuildKit gives a stage whose image sets none. */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** `BaseImageConfig` is the part of a base image's config the checks read (OCI field names). */
export interface BaseImageConfig {
  Env?: readonly string[];
  Shell?: readonly string[];
}

/**
 * `StageState` is what BuildKit's dispatcher knows about a stage while it walks the stage's
 * instructions: the environment (image ENV, then ENV and valued ARGs), the ARG names declared,
 * whether a SHELL is set, whether a WORKDIR was, and the last CMD/ENTRYPOINT/HEALTHCHECK. A stage
 * built `FROM` another stage starts from a copy of that stage's final state.
 */
export class StageState {
  readonly env: Map<string, string>;
  readonly declared: Set<string>;
  shell: boolean;
  workdirSet: boolean;
  /** Per stage, not inherited: where the last of each single-use instruction was. */
  readonly lastSingle = new Map<string, Where>();

  private constructor(env: Map<string, string>, declared: Set<string>, shell: boolean, workdirSet: boolean) {
    this.env = env;
    this.declared = declared;
    this.shell = shell;
    this.workdirSet = workdirSet;
  }

  /** `fromImage` starts a stage from an image config (or scratch: undefined); PATH is always set. */
  static fromImage(config: BaseImageConfig | undefined): StageState {
    const env = new Map<string, string>();
    for (const kv of config?.Env ?? []) {
      const eq = kv.indexOf('=');
      env.set(eq < 0 ? kv : kv.slice(0, eq), eq < 0 ? '' : kv.slice(eq + 1));
    }
    if (!env.has('PATH')) env.set('PATH', DEFAULT_PATH);
    return new StageState(env, new Set(), (config?.Shell?.length ?? 0) > 0, false);
  }

  /** `fromStage` starts a stage from another stage's final state. */
  static fromStage(base: StageState): StageState {
    return new StageState(new Map(base.env), new Set(base.declared), base.shell, base.workdirSet);
  }
}
