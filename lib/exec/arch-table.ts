import type { Platform } from '../oci/platform.js';

/**
 * `ArchInfo` is what each toolchain calls one OCI platform. The names follow tonistiigi/xx's
 * tables (xx-info, xx-cargo) so a Dockerfile written for xx finds the same values here.
 */
export interface ArchInfo {
  /** GOARCH. */
  goArch: string;
  /** GOARM for arm variants (`5`, `6`, `7`). */
  goArm?: string;
  /** GNU triple of the Debian cross compiler (`aarch64-linux-gnu`); its gcc is `<triple>-gcc`. */
  gnuTriple: string;
  /** zig/clang target producing static musl binaries (`aarch64-linux-musl`). */
  zigTriple: string;
  /**
   * Extra zig flags that pin the CPU baseline (arm variants differ only there). zig 0.11's `cc`
   * ignores `-mcpu=generic+v7a` for the predefined macros (__ARM_ARCH stays 6) and rejects
   * `-march=armv7-a` when compiling, so a named v7-A core is used.
   */
  zigFlags: string[];
  /** False where zig 0.11 cannot link (s390x: no musl libc support in the bundled sysroot). */
  zigLinks: boolean;
  /** Rust target (`aarch64-unknown-linux-musl`). */
  rustTarget: string;
  /** Alpine's apk arch (`aarch64`, `armv7`), undefined where Alpine has no port. */
  alpineArch?: string;
  /** Debian's dpkg arch (`arm64`, `armhf`). */
  debianArch: string;
  /** The qemu user-mode emulator suffix (`qemu-<x>-static`) that runs this arch's binaries. */
  qemuArch: string;
}

const TABLE: Record<string, ArchInfo> = {
  amd64: {
    goArch: 'amd64',
    gnuTriple: 'x86_64-linux-gnu',
    zigTriple: 'x86_64-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'x86_64-unknown-linux-musl',
    alpineArch: 'x86_64',
    debianArch: 'amd64',
    qemuArch: 'x86_64',
  },
  arm64: {
    goArch: 'arm64',
    gnuTriple: 'aarch64-linux-gnu',
    zigTriple: 'aarch64-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'aarch64-unknown-linux-musl',
    alpineArch: 'aarch64',
    debianArch: 'arm64',
    qemuArch: 'aarch64',
  },
  'arm/v7': {
    goArch: 'arm',
    goArm: '7',
    gnuTriple: 'arm-linux-gnueabihf',
    zigTriple: 'arm-linux-musleabihf',
    zigFlags: ['-mcpu=cortex_a7'],
    zigLinks: true,
    rustTarget: 'armv7-unknown-linux-musleabihf',
    alpineArch: 'armv7',
    debianArch: 'armhf',
    qemuArch: 'arm',
  },
  // Alpine's "armhf" is ARMv6 hard-float (Raspberry Pi 1); Debian's armhf is v7, so v6 maps to armel there.
  'arm/v6': {
    goArch: 'arm',
    goArm: '6',
    gnuTriple: 'arm-linux-gnueabi',
    zigTriple: 'arm-linux-musleabi',
    zigFlags: ['-mcpu=arm1176jzf_s'],
    zigLinks: true,
    rustTarget: 'arm-unknown-linux-musleabihf',
    alpineArch: 'armhf',
    debianArch: 'armel',
    qemuArch: 'arm',
  },
  'arm/v5': {
    goArch: 'arm',
    goArm: '5',
    gnuTriple: 'arm-linux-gnueabi',
    zigTriple: 'arm-linux-musleabi',
    zigFlags: ['-mcpu=arm926ej_s'],
    zigLinks: true,
    rustTarget: 'armv5te-unknown-linux-musleabi',
    debianArch: 'armel',
    qemuArch: 'arm',
  },
  '386': {
    goArch: '386',
    gnuTriple: 'i686-linux-gnu',
    zigTriple: 'x86-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'i686-unknown-linux-musl',
    alpineArch: 'x86',
    debianArch: 'i386',
    qemuArch: 'i386',
  },
  ppc64le: {
    goArch: 'ppc64le',
    gnuTriple: 'powerpc64le-linux-gnu',
    zigTriple: 'powerpc64le-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'powerpc64le-unknown-linux-musl',
    alpineArch: 'ppc64le',
    debianArch: 'ppc64el',
    qemuArch: 'ppc64le',
  },
  s390x: {
    goArch: 's390x',
    gnuTriple: 's390x-linux-gnu',
    zigTriple: 's390x-linux-musl',
    zigFlags: [],
    zigLinks: false,
    rustTarget: 's390x-unknown-linux-gnu',
    alpineArch: 's390x',
    debianArch: 's390x',
    qemuArch: 's390x',
  },
  riscv64: {
    goArch: 'riscv64',
    gnuTriple: 'riscv64-linux-gnu',
    zigTriple: 'riscv64-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'riscv64gc-unknown-linux-musl',
    alpineArch: 'riscv64',
    debianArch: 'riscv64',
    qemuArch: 'riscv64',
  },
  mips64le: {
    goArch: 'mips64le',
    gnuTriple: 'mips64el-linux-gnuabi64',
    zigTriple: 'mips64el-linux-musl',
    zigFlags: [],
    zigLinks: true,
    rustTarget: 'mips64el-unknown-linux-muslabi64',
    debianArch: 'mips64el',
    qemuArch: 'mips64el',
  },
  loong64: {
    goArch: 'loong64',
    gnuTriple: 'loongarch64-linux-gnu',
    zigTriple: 'loongarch64-linux-musl',
    zigFlags: [],
    zigLinks: false,
    rustTarget: 'loongarch64-unknown-linux-gnu',
    alpineArch: 'loongarch64',
    debianArch: 'loong64',
    qemuArch: 'loongarch64',
  },
};

/**
 * `archInfo` looks up a (normalised) platform's toolchain names; undefined for an architecture
 * ocibake has no cross-compile table for. `amd64/v2..v4` share amd64's row (only GOAMD64 differs).
 */
export function archInfo(p: Platform): ArchInfo | undefined {
  if (p.architecture === 'arm') return TABLE[`arm/${p.variant ?? 'v7'}`];
  return TABLE[p.architecture];
}

/** `knownArchitectures` lists the table's rows (`arm/v7` style for arm), for messages and tests. */
export function knownArchitectures(): string[] {
  return Object.keys(TABLE);
}
