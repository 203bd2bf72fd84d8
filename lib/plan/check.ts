import { formatPlatform } from '../oci/platform.js';
import { DockerfileError } from '../dockerfile/errors.js';
import type { BuildPlan } from './types.js';

/** The fix for a RUN in a target-platform stage, shown as the error's hint. */
export const RUN_IN_TARGET_HINT =
  'RUN in a target-platform stage needs an emulator; mark the stage `FROM --platform=$BUILDPLATFORM` and cross-compile, then COPY --from the result';

/**
 * `checkNoRunInTargetStages` rejects a plan whose target-platform stage has a RUN: ocibake does not
 * emulate foreign CPUs. The build calls it after planning, so `--dry-run` can still print the plan.
 * The error points at the first such RUN line.
 *
 *     const plan = planBuild(df, { platforms: [arm64] });
 *     checkNoRunInTargetStages(plan); // throws DockerfileError (OCIBAKE_RUN_IN_TARGET_STAGE) at the RUN
 */
export function checkNoRunInTargetStages(plan: BuildPlan): void {
  for (const inst of plan.instances) {
    if (inst.kind !== 'target') continue;
    const step = inst.steps.find((s) => s.instruction.kind === 'RUN');
    if (!step) continue;
    const ins = step.instruction;
    throw new DockerfileError(
      'OCIBAKE_RUN_IN_TARGET_STAGE',
      `RUN in target-platform stage ${inst.key} (${formatPlatform(inst.platform)}) cannot execute: ${inst.reason}`,
      {
        file: plan.file ?? 'Dockerfile',
        line: ins.range.startLine,
        column: ins.range.column ?? 1,
        instruction: 'RUN',
        sourceLine: ins.text,
        hint: RUN_IN_TARGET_HINT,
      },
    );
  }
}
