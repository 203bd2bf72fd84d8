import { readFileSync } from 'node:fs';
import { formatPlatform, hostPlatform, normalizePlatform, type Platform } from '../oci/platform.js';
import { SandboxError } from './errors.js';

/** How a stage's processes will run on this machine. */
export type Execution = { kind: 'native' } | { kind: 'emulated'; handler: string; interpreter: string };

// The qemu-user binfmt handler that runs each architecture (Debian's qemu-user-static names).
const HANDLER: Record<string, string> = {
  amd64: 'qemu-x86_64',
  '386': 'qemu-i386',
  arm64: 'qemu-aarch64',
  arm: 'qemu-arm',
  riscv64: 'qemu-riscv64',
  ppc64le: 'qemu-ppc64le',
  s390x: 'qemu-s390x',
  mips64le: 'qemu-mips64el',
  loong64: 'qemu-loongarch64',
};

/** What each host CPU runs without an emulator (an x86_64 kernel runs i386 code; 32-bit ARM on arm64 varies by CPU, so it is not assumed). */
const NATIVE: Record<string, string[]> = { amd64: ['amd64', '386'], arm64: ['arm64'] };

/** `runsNatively` tells whether this machine's CPU executes `platform`'s binaries itself. */
export function runsNatively(platform: Platform, host: Platform = hostPlatform()): boolean {
  const p = normalizePlatform(platform);
  const h = normalizePlatform(host);
  if (p.os !== h.os) return false;
  return (NATIVE[h.architecture] ?? [h.architecture]).includes(p.architecture);
}

const BINFMT = '/proc/sys/fs/binfmt_misc';

/**
 * `execution` decides how a stage for `platform` runs: natively, or through the binfmt_misc
 * handler for its CPU, which must be enabled and carry the F flag (the interpreter is opened when
 * registered, so it works inside the stage's root, where no qemu binary exists). Without one the
 * error says what to install.
 */
export function execution(platform: Platform, read: (f: string) => string = (f) => readFileSync(f, 'utf8')): Execution {
  if (runsNatively(platform)) return { kind: 'native' };
  // qemu-user runs Linux binaries only: another OS has no emulator, whatever its CPU.
  const n = normalizePlatform(platform);
  const name = n.os === 'linux' ? HANDLER[n.architecture] : undefined;
  const p = formatPlatform(platform);
  if (!name)
    throw new SandboxError('OCIBAKE_EXEC', `no emulator is known for ${p}`, {
      hint: 'build that platform on a machine of its architecture, or cross-compile in a FROM --platform=$BUILDPLATFORM stage',
    });
  let text: string;
  try {
    text = read(`${BINFMT}/${name}`);
  } catch {
    let mounted = true;
    try {
      read(`${BINFMT}/status`);
    } catch {
      mounted = false;
    }
    throw new SandboxError('OCIBAKE_EXEC', `RUN for ${p} needs the ${name} binfmt_misc handler, which is not registered`, {
      hint: mounted
        ? 'install qemu-user-static and binfmt-support (Debian/Ubuntu: sudo apt-get install qemu-user-static binfmt-support), or run docker run --privileged --rm tonistiigi/binfmt --install all'
        : 'binfmt_misc is not mounted: sudo mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc && sudo update-binfmts --enable',
    });
  }
  const enabled = /^enabled$/m.test(text);
  const flags = /^flags: *(\S*)$/m.exec(text)?.[1] ?? '';
  const interpreter = /^interpreter (\S+)$/m.exec(text)?.[1] ?? '';
  if (!enabled) throw new SandboxError('OCIBAKE_EXEC', `the ${name} binfmt_misc handler is disabled`, { hint: `sudo update-binfmts --enable ${name}` });
  if (!flags.includes('F')) {
    throw new SandboxError('OCIBAKE_EXEC', `the ${name} binfmt_misc handler lacks the F flag, so it cannot run inside a stage's root`, {
      hint: 'register it with the F flag: install qemu-user-static (Debian registers F), or docker run --privileged --rm tonistiigi/binfmt --install all',
    });
  }
  return { kind: 'emulated', handler: name, interpreter };
}
