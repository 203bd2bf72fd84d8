import type { Platform } from '../oci/platform.js';
import { archInfo } from './arch-table.js';

/**
 * `CCompiler` is the C compiler wired for one target: a Debian cross gcc (`aarch64-linux-gnu-gcc`),
 * zig's bundled clang (`zig cc -target aarch64-linux-musl`), or the host's own `cc` when the
 * target is the build platform.
 */
export type CCompiler = { kind: 'gcc'; prefix: string } | { kind: 'zig'; zig: string } | { kind: 'native'; cc: string };

/** Inputs of `crossEnv`. */
export interface CrossEnvOptions {
  target: Platform;
  build: Platform;
  /** The C compiler chosen for the target (see `pickCCompiler`); none means CGO off. */
  cc?: CCompiler | undefined;
  /**
   * An executable that runs `zig cc -target <triple>` with its arguments. Cargo's linker setting
   * takes one program, not a command line, so zig needs this wrapper there.
   */
  zigLinkerWrapper?: string | undefined;
}

/**
 * `crossEnv` is the environment a RUN in a per-target host stage gets so that the usual build
 * commands produce binaries for `target` (after tonistiigi/xx's xx-go, xx-cargo and xx-info):
 *
 * - Go: `GOOS GOARCH GOARM GOAMD64`, `CGO_ENABLED=1` only when a cross C compiler is wired (zig
 *   or a Debian cross gcc); the host's own cc gives `CGO_ENABLED=0` so the binary stays static
 *   and runs on any base image.
 * - C/C++: `CC CXX AR` (`zig cc -target <triple>` or `<gnu-triple>-gcc`).
 * - Rust: `CARGO_BUILD_TARGET`, `CARGO_TARGET_<TRIPLE>_LINKER`, `CC_<triple>`.
 * - Informative: `OCIBAKE_TARGET_TRIPLE` (GNU triple), `OCIBAKE_ZIG_TARGET`, `OCIBAKE_RUST_TARGET`,
 *   `OCIBAKE_ALPINE_ARCH`, `OCIBAKE_DEBIAN_ARCH`.
 *
 * @example crossEnv({ target: parsePlatform('linux/arm/v7'), build: hostPlatform() })
 *   // { GOOS: 'linux', GOARCH: 'arm', GOARM: '7', CGO_ENABLED: '0', OCIBAKE_TARGET_TRIPLE: 'arm-linux-gnueabihf', … }
 */
export function crossEnv(opts: CrossEnvOptions): Record<string, string> {
  const { target, cc } = opts;
  const env: Record<string, string> = { GOOS: target.os, GOARCH: target.architecture };
  const info = archInfo(target);
  if (info) env['GOARCH'] = info.goArch;
  if (info?.goArm) env['GOARM'] = info.goArm;
  if (target.architecture === 'amd64' && target.variant && /^v[2-4]$/.test(target.variant)) env['GOAMD64'] = target.variant;
  const crossCc = cc !== undefined && cc.kind !== 'native';
  env['CGO_ENABLED'] = crossCc ? '1' : '0';
  if (!info || target.os !== 'linux') return env;

  env['OCIBAKE_TARGET_TRIPLE'] = info.gnuTriple;
  env['OCIBAKE_ZIG_TARGET'] = info.zigTriple;
  env['OCIBAKE_RUST_TARGET'] = info.rustTarget;
  env['OCIBAKE_DEBIAN_ARCH'] = info.debianArch;
  if (info.alpineArch) env['OCIBAKE_ALPINE_ARCH'] = info.alpineArch;
  env['CARGO_BUILD_TARGET'] = info.rustTarget;

  const rustUpper = info.rustTarget.toUpperCase().replace(/-/g, '_');
  const rustLower = info.rustTarget.replace(/-/g, '_');
  if (cc?.kind === 'gcc') {
    env['CC'] = `${cc.prefix}gcc`;
    env['CXX'] = `${cc.prefix}g++`;
    env['AR'] = `${cc.prefix}ar`;
    env[`CARGO_TARGET_${rustUpper}_LINKER`] = `${cc.prefix}gcc`;
  } else if (cc?.kind === 'zig') {
    const flags = [`-target ${info.zigTriple}`, ...info.zigFlags].join(' ');
    env['CC'] = `${cc.zig} cc ${flags}`;
    env['CXX'] = `${cc.zig} c++ ${flags}`;
    env['AR'] = `${cc.zig} ar`;
    if (opts.zigLinkerWrapper) env[`CARGO_TARGET_${rustUpper}_LINKER`] = opts.zigLinkerWrapper;
  } else if (cc?.kind === 'native') {
    env['CC'] = cc.cc;
  }
  if (env['CC']) env[`CC_${rustLower}`] = env['CC'];
  return env;
}

/**
 * `pickCCompiler` chooses the C compiler for a target, in the order a user would expect: the
 * host's cc for a native build, then an installed Debian cross gcc, then zig (which targets
 * every row of the table except where `zigLinks` is false). `has(cmd)` says whether a command
 * is on PATH; it is injected so the choice can be table-tested.
 */
export function pickCCompiler(target: Platform, build: Platform, has: (cmd: string) => boolean, zig: string | undefined): CCompiler | undefined {
  const info = archInfo(target);
  const sameArch = target.architecture === build.architecture && (target.variant ?? '') === (build.variant ?? '');
  if (sameArch && target.os === build.os) {
    for (const c of ['cc', 'gcc', 'clang']) if (has(c)) return { kind: 'native', cc: c };
  }
  if (!info || target.os !== 'linux') return undefined;
  if (has(`${info.gnuTriple}-gcc`)) return { kind: 'gcc', prefix: `${info.gnuTriple}-` };
  if (zig && info.zigLinks) return { kind: 'zig', zig };
  return undefined;
}
