import type { Platform } from '../oci/platform.js';
import type { Stage } from '../dockerfile/instructions.js';
import type { DispatchContext, DraftBase, StageState } from './draft.js';
import { PREDEFINED_ARGS } from './scope.js';

/** The SHELL of a stage that sets none. */
export const DEFAULT_SHELL = ['/bin/sh', '-c'];
/** The PATH BuildKit sets for a Linux stage whose base config has none. */
export const DEFAULT_LINUX_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/**
 * `initialState` is a stage's state before its first instruction when it is not `FROM <stage>`:
 * defaults, overlaid with the base image's resolved config (Env, WorkingDir, User, Shell).
 */
export function initialState(ctx: DispatchContext, base: DraftBase, from: Stage['from'], platform: Platform): StageState {
  const state: StageState = { env: new Map(), args: new Map(), workdir: '/', shell: [...DEFAULT_SHELL] };
  // BuildKit gives a Linux stage whose base config has no PATH the default one; that is known for
  // scratch, and for an image only once its config is resolved.
  const defaultPath = (os: string): void => {
    if (os === 'linux' && !state.env.has('PATH')) state.env.set('PATH', DEFAULT_LINUX_PATH);
  };
  if (base.type === 'scratch') defaultPath(platform.os);
  if (base.type !== 'image') return state;
  const cfg = ctx.baseImageConfig?.(base.ref, base.platform);
  if (!cfg) {
    state.unresolvedBase = base.ref;
    return state;
  }
  for (const kv of cfg.Env ?? []) {
    const eq = kv.indexOf('=');
    if (eq > 0) state.env.set(kv.slice(0, eq), kv.slice(eq + 1));
  }
  if (cfg.WorkingDir) state.workdir = resolveWorkdir('/', cfg.WorkingDir);
  if (cfg.User) state.user = cfg.User;
  if (cfg.Shell && cfg.Shell.length > 0) state.shell = [...cfg.Shell];
  defaultPath(base.platform.os);
  if (cfg.OnBuild && cfg.OnBuild.length > 0) {
    ctx.warnings.push({
      file: ctx.file,
      line: from.range.startLine,
      message: `base image ${base.ref} has ${cfg.OnBuild.length} ONBUILD trigger(s); ocibake does not run them`,
    });
  }
  return state;
}

/** `runEnv` is the RUN environment: ARGs with a value, then predefined proxy args from --build-arg, then ENV on top (ENV wins). */
export function runEnv(state: StageState, buildArgs: Map<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of state.args) if (v !== undefined) env[k] = v;
  for (const [k, v] of buildArgs) if (PREDEFINED_ARGS.has(k) && !(k in env)) env[k] = v;
  for (const [k, v] of state.env) env[k] = v;
  return env;
}

/** `resolveWorkdir` resolves a WORKDIR against the current one, as an absolute, normalised path. */
export function resolveWorkdir(current: string, path: string): string {
  // Windows images (`WORKDIR C:\\app`) keep their drive-letter paths as written.
  if (/^[A-Za-z]:[\\/]/.test(path)) return path;
  const joined = path.startsWith('/') ? path : `${current.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const seg of joined.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return `/${parts.join('/')}`;
}
