import { formatPlatform } from '../oci/platform.js';
import type { BaseSource, BuildPlan } from './types.js';

/**
 * `formatPlan` renders a plan for `ocibake build --dry-run`: the instances in build order with
 * kind, platform, base, dependencies and the reason for their kind, then the warnings.
 *
 *     build platform linux/amd64
 *     build              host    linux/amd64            image gcc
 *       FROM --platform=$BUILDPLATFORM resolves to the build platform linux/amd64: runs natively on this machine
 */
export function formatPlan(plan: BuildPlan): string {
  const out: string[] = [`build platform ${formatPlatform(plan.buildPlatform)}`];
  out.push(`targets: ${plan.targets.map((t) => `${formatPlatform(t.platform)} ← ${t.final}`).join(', ')}`);
  const width = Math.max(...plan.instances.map((i) => i.key.length), 4);
  for (const inst of plan.instances) {
    const forTarget = inst.targetPlatform ? ` for ${formatPlatform(inst.targetPlatform)}` : ' shared';
    const runs = inst.steps.filter((s) => s.instruction.kind === 'RUN').length;
    out.push(`${inst.key.padEnd(width)}  ${inst.kind.padEnd(6)}  ${`${formatPlatform(inst.platform)}${forTarget}`.padEnd(34)}  ${base(inst.base)}`);
    out.push(`  ${inst.reason}`);
    const details: string[] = [`${inst.steps.length} step(s), ${runs} RUN`];
    if (inst.deps.length > 0) details.push(`reads ${inst.deps.join(', ')}`);
    if (inst.targetArgsUsed.length > 0) details.push(`per target because it reads ${inst.targetArgsUsed.join(', ')}`);
    out.push(`  ${details.join('; ')}`);
  }
  for (const w of plan.warnings)
    out.push(`warning: ${w.file ?? ''}${w.line !== undefined ? `:${w.line}` : ''}${w.file || w.line !== undefined ? ': ' : ''}${w.message}`);
  return `${out.join('\n')}\n`;
}

function base(b: BaseSource): string {
  if (b.type === 'scratch') return 'scratch';
  if (b.type === 'stage') return `stage ${b.key}`;
  return `image ${b.ref}`;
}
