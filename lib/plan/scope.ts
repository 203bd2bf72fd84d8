import { platformArgs, type Platform } from '../oci/platform.js';
import type { ArgInstruction } from '../dockerfile/instructions.js';
import { expandWord } from '../dockerfile/expand.js';

/** The automatic args that describe the target platform; a stage that declares one is per-platform. */
export const TARGET_ARGS = ['TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT'] as const;
/** The automatic args that describe the build platform. */
export const BUILD_ARGS = ['BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT'] as const;

/**
 * Docker's predefined args: usable in RUN without an ARG line when passed with --build-arg, and
 * never reported as unused (Dockerfile reference, "Predefined ARGs"). SOURCE_DATE_EPOCH is not
 * exposed without `ARG SOURCE_DATE_EPOCH`, but is never "unused" either: it also sets timestamps.
 */
export const PREDEFINED_ARGS = new Set([
  'HTTP_PROXY',
  'http_proxy',
  'HTTPS_PROXY',
  'https_proxy',
  'FTP_PROXY',
  'ftp_proxy',
  'NO_PROXY',
  'no_proxy',
  'ALL_PROXY',
  'all_proxy',
]);

/** `isTargetArg` tells whether a name is one of the automatic TARGET* args. */
export function isTargetArg(name: string): boolean {
  return (TARGET_ARGS as readonly string[]).includes(name);
}

/** `automaticArgs` are BuildKit's platform args for one target platform on one build platform. */
export function automaticArgs(target: Platform, build: Platform): Map<string, string> {
  return new Map(Object.entries({ ...platformArgs('TARGET', target), ...platformArgs('BUILD', build) }));
}

/**
 * `resolveBuildArgs` applies `--build-arg NAME` (no value) semantics: the value comes from the
 * environment, and the arg is dropped when the environment does not have it either.
 */
export function resolveBuildArgs(args: Readonly<Record<string, string | undefined>>, env: Readonly<Record<string, string | undefined>>): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of Object.entries(args)) {
    const v = value ?? env[name];
    if (v !== undefined) out.set(name, v);
  }
  return out;
}

/** `ArgValues` maps declared arg names to their value (undefined: declared, no value). */
export type ArgValues = Map<string, string | undefined>;

/**
 * `declareArg` computes the value of one `ARG name[=default]` in a scope: automatic platform args
 * keep their platform value; otherwise --build-arg wins over the default; a bare `ARG name` takes
 * the global value (global ARGs and automatic args), or stays without value.
 */
export function declareArg(
  arg: ArgInstruction['args'][number],
  opts: {
    automatic: Map<string, string>;
    buildArgs: Map<string, string>;
    globals: ArgValues | undefined;
    lookup: (n: string) => string | undefined;
    escape: string;
  },
): { value: string | undefined; used: string[] } {
  const auto = opts.automatic.get(arg.name);
  if (auto !== undefined) return { value: auto, used: [] };
  const fromCli = opts.buildArgs.get(arg.name);
  if (fromCli !== undefined) return { value: fromCli, used: [] };
  if (arg.value !== undefined) {
    const r = expandWord(arg.value, opts.lookup, { escape: opts.escape });
    return { value: r.value, used: r.used };
  }
  return { value: opts.globals?.get(arg.name), used: [] };
}
