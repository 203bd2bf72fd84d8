import { hostPlatform, platformArgs, type Platform } from '../../oci/platform.js';
import { expandWord } from '../expand.js';
import type { ArgInstruction } from '../instructions.js';

/** `GlobalScope` is what FROM lines and `ARG NAME` in a stage see: BuildKit's global args. */
export interface GlobalScope {
  /** Automatic platform args and the global ARGs that got a value. */
  values: Map<string, string>;
  /** Every global ARG name, with a value or not. */
  declared: Set<string>;
}

/** `ScopePlatforms` are the platforms the automatic args describe. */
export interface ScopePlatforms {
  target: Platform;
  build: Platform;
}

/**
 * `automaticArgs` are BuildKit's predefined global args: the build and target platform args
 * (`*OSVERSION` empty unless the platform has one) and `TARGETSTAGE`. A `--build-arg` of the same
 * name overrides one.
 */
export function automaticArgs(
  platforms: ScopePlatforms | undefined,
  targetStage: string,
  buildArgs: ReadonlyMap<string, string> | undefined,
): Map<string, string> {
  const build = platforms?.build ?? hostPlatform();
  const target = platforms?.target ?? build;
  const values = new Map<string, string>([
    ...Object.entries(platformArgs('BUILD', build)),
    ['BUILDOSVERSION', build.osVersion ?? ''],
    ...Object.entries(platformArgs('TARGET', target)),
    ['TARGETOSVERSION', target.osVersion ?? ''],
    ['TARGETSTAGE', targetStage],
  ]);
  if (buildArgs !== undefined) for (const k of values.keys()) if (buildArgs.has(k)) values.set(k, buildArgs.get(k)!);
  return values;
}

/**
 * `globalScope` evaluates the ARGs before the first FROM in order, as BuildKit's `buildMetaArgs`:
 * a `--build-arg` wins, else the default is expanded with what is defined so far; an ARG without
 * either keeps whatever the name had. Returns undefined when a default fails to expand (the build
 * itself then fails with that error).
 *
 *     globalScope([argOf('ARG V=1')], automaticArgs(undefined, 'app', undefined), undefined)?.values.get('V') // '1'
 */
export function globalScope(
  args: readonly ArgInstruction[],
  automatic: ReadonlyMap<string, string>,
  buildArgs: ReadonlyMap<string, string> | undefined,
  escape: string,
): GlobalScope | undefined {
  const values = new Map(automatic);
  const declared = new Set<string>();
  for (const ins of args) {
    for (const a of ins.args) {
      declared.add(a.name);
      const given = buildArgs?.get(a.name);
      if (given !== undefined) {
        values.set(a.name, given);
        continue;
      }
      if (a.value === undefined) continue;
      try {
        values.set(a.name, expandWord(a.value, (n) => values.get(n), { escape }).value);
      } catch {
        return undefined;
      }
    }
  }
  return { values, declared };
}
