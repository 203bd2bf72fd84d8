import { delimiter } from 'node:path';
import { platformArgs, type Platform } from '../oci/platform.js';

/**
 * `mergePath` puts the stage's PATH (from ENV) first and appends the host's entries it lacks:
 * host stages run the host's toolchains, which may live outside an image's default PATH
 * (`~/.cargo/bin`, a zig in node_modules).
 */
export function mergePath(stagePath: string | undefined, hostPath: string | undefined): string {
  const parts = [...(stagePath ?? '').split(delimiter), ...(hostPath ?? '').split(delimiter)].filter((p) => p !== '');
  return [...new Set(parts)].join(delimiter);
}

/** Inputs of `hostBaseEnv`. */
export interface BaseEnvOptions {
  build: Platform;
  target?: Platform | undefined;
  cross: Record<string, string>;
  /** Persistent tool caches (GOCACHE, zig) under the cache dir. */
  toolCaches: Record<string, string>;
  hostEnv?: NodeJS.ProcessEnv;
}

/**
 * `hostBaseEnv` is the environment every RUN of an instance starts from: the host's PATH and
 * HOME (so host toolchains work), the automatic BUILD* args, TARGET* args and the cross-compile
 * variables for per-target instances, and tool cache dirs. The step's ENV/ARGs override it.
 */
export function hostBaseEnv(o: BaseEnvOptions): Record<string, string> {
  const host = o.hostEnv ?? process.env;
  const env: Record<string, string> = {
    PATH: host['PATH'] ?? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    HOME: host['HOME'] ?? '/root',
    ...platformArgs('BUILD', o.build),
    ...o.toolCaches,
  };
  if (o.target) Object.assign(env, platformArgs('TARGET', o.target), o.cross);
  return env;
}
