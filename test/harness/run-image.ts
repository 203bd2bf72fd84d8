// Unpack an image with umoci and run something in it: amd64 via chroot, foreign architectures
// via qemu-*-static, for every e2e test that runs what it built.
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Platform } from '../../lib/oci/platform.js';
import { requireTool, skopeoCopy, umociUnpack } from './verify.js';

/** `RunResult` is what a command in an image printed and how it exited. */
export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

const QEMU: Record<string, string> = {
  arm64: 'qemu-aarch64-static',
  arm: 'qemu-arm-static',
  riscv64: 'qemu-riscv64-static',
  ppc64le: 'qemu-ppc64le-static',
  s390x: 'qemu-s390x-static',
  '386': 'qemu-i386-static',
};

/**
 * `unpackPlatform` extracts one platform of `oci:<layoutDir>:<tag>` into `<work>/bundle/rootfs`.
 * umoci cannot unpack an index, so skopeo first copies that platform's image into a scratch
 * layout (blobs unchanged), then umoci unpacks it, verifying each layer's diff_id.
 */
export async function unpackPlatform(layoutDir: string, tag: string, platform: Platform, work: string): Promise<string> {
  await mkdir(work, { recursive: true });
  const single = join(work, 'single');
  const overrides = [
    '--override-os',
    platform.os,
    '--override-arch',
    platform.architecture,
    ...(platform.variant ? ['--override-variant', platform.variant] : []),
  ];
  await skopeoCopy(`oci:${layoutDir}:${tag}`, `oci:${single}:img`, { extra: overrides });
  const bundle = join(work, 'bundle');
  await umociUnpack(single, 'img', bundle);
  return join(bundle, 'rootfs');
}

/** `runChroot` runs argv inside a rootfs with chroot (same-architecture images; needs root). */
export function runChroot(rootfs: string, argv: string[]): RunResult {
  requireTool('chroot');
  const res = spawnSync('chroot', [rootfs, ...argv], { encoding: 'utf8', timeout: 60_000, env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' } });
  return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? res.error?.message ?? '' };
}

/**
 * `runQemu` runs a binary of a foreign rootfs under qemu user emulation (static binaries such as
 * busybox; `-L rootfs` lets qemu find the rootfs's dynamic loader too).
 */
export function runQemu(rootfs: string, architecture: string, binary: string, args: string[]): RunResult {
  const qemu = QEMU[architecture];
  if (!qemu) throw new Error(`no qemu user emulator known for ${architecture}`);
  requireTool(qemu);
  const res = spawnSync(qemu, ['-L', rootfs, join(rootfs, binary), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: res.status, stdout: res.stdout ?? '', stderr: res.stderr ?? res.error?.message ?? '' };
}
