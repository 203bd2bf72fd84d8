// Shared by the exec e2e tests: plan a real Dockerfile with the real frontend, find instance
// outputs, and run a cross-compiled binary natively or under qemu-<arch>-static.
import '../harness/zig.js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDockerfile } from '../../lib/dockerfile/parser.js';
import { planBuild } from '../../lib/plan/plan.js';
import type { BuildPlan } from '../../lib/plan/types.js';
import { formatPlatform, hostPlatform, parsePlatform, type Platform } from '../../lib/oci/platform.js';
import { archInfo } from '../../lib/exec/arch-table.js';
import { which } from '../../lib/exec/tool-lookup.js';

/** Go and zig caches shared by test runs, so only the first run on a machine compiles cold. */
export const toolCacheDir = join(tmpdir(), 'ocibake-test-toolcache');

export function planFile(dockerfile: string, platforms: string[]): BuildPlan {
  const df = parseDockerfile(readFileSync(dockerfile, 'utf8'), dockerfile);
  return planBuild(df, { platforms: platforms.map(parsePlatform), buildPlatform: hostPlatform() });
}

/** The key of the `stage` instance that serves `platform` (per-target, else the shared one). */
export function instanceFor(plan: BuildPlan, stage: string, platform: string): string {
  const own = plan.instances.find((i) => i.stage.name === stage && i.targetPlatform && formatPlatform(i.targetPlatform) === platform);
  const shared = plan.instances.find((i) => i.stage.name === stage && !i.targetPlatform);
  const inst = own ?? shared;
  if (!inst) throw new Error(`no instance of ${stage} for ${platform}`);
  return inst.key;
}

/** Runs a static binary built for `platform`: natively when the host CPU runs it, else with qemu. */
export function runFor(platform: string, binary: string): string {
  const p: Platform = parsePlatform(platform);
  const host = hostPlatform();
  // amd64 hosts run i386 code natively (and Go's 386 runtime trips over qemu-i386's TLS emulation).
  const native = p.architecture === host.architecture || (host.architecture === 'amd64' && p.architecture === '386');
  if (native) return execFileSync(binary, { encoding: 'utf8' });
  const qemu = `qemu-${archInfo(p)!.qemuArch}-static`;
  if (!which(qemu)) throw new Error(`${qemu} is not installed: apt-get install qemu-user-static`);
  return execFileSync(qemu, [binary], { encoding: 'utf8' });
}
