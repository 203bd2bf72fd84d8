import type { Platform } from '../oci/platform.js';
import type { Instruction, Stage } from '../dockerfile/instructions.js';
import type { PlanWarning, StageKind } from './types.js';
import type { ArgValues } from './scope.js';

// The planner's working data for one target platform: stage drafts whose references are stage
// indexes, turned into keyed StageInstances by plan.ts once dedupe is decided.

/** `StageState` is what a stage hands to a stage built `FROM` it: ENV, ARGs, WORKDIR, SHELL, USER. */
export interface StageState {
  env: Map<string, string>;
  args: ArgValues;
  workdir: string;
  shell: string[];
  user?: string;
  /** The image base whose config (Env, WorkingDir) the planner has not seen, if any (inherited by child stages). */
  unresolvedBase?: string;
}

/** `DraftStep` is a Step before instance keys exist: references point at stage indexes. */
export interface DraftStep {
  instruction: Instruction;
  env: Record<string, string>;
  imageEnv: Record<string, string>;
  workdir: string;
  shell: string[];
  user?: string;
  fromStage?: number;
  fromImage?: string;
  mounts?: { index: number; stage?: number; image?: string }[];
}

/** `DraftBase` is a BaseSource whose stage reference is an index. */
export type DraftBase = { type: 'scratch' } | { type: 'image'; ref: string; platform: Platform } | { type: 'stage'; index: number };

/** `StageDraft` is one stage dispatched for one target platform. */
export interface StageDraft {
  index: number;
  platform: Platform;
  /** True when the stage's platform follows the target (no --platform, $TARGETPLATFORM, or such a parent). */
  platformFromTarget: boolean;
  kind: StageKind;
  reason: string;
  base: DraftBase;
  steps: DraftStep[];
  /** Stage indexes read (FROM, COPY --from, RUN --mount from=), in first-use order. */
  deps: number[];
  /** Line of the instruction that created each dep edge, for cycle errors. */
  depLines: Map<number, number>;
  targetArgsUsed: string[];
  declaredArgs: string[];
  final: StageState;
}

/** `DispatchContext` is everything shared by the stages of one target platform. */
export interface DispatchContext {
  stages: Stage[];
  /** Stage index by AS name (lower case). */
  byName: Map<string, number>;
  file: string;
  lines: readonly string[];
  escape: string;
  target: Platform;
  build: Platform;
  automatic: Map<string, string>;
  buildArgs: Map<string, string>;
  globals: ArgValues;
  /** Stage drafts already dispatched for this platform (parents are dispatched first). */
  drafts: Map<number, StageDraft>;
  warnings: PlanWarning[];
  baseImageConfig?: BaseImageConfigLookup | undefined;
  offline?: boolean | undefined;
}

/**
 * `BaseImageConfig` is the part of a base image's config the planner needs to expand like BuildKit
 * (field names as in the OCI/Docker image config): `ENV PATH=/x:$PATH` needs the image's PATH, and
 * a relative WORKDIR resolves against the image's WorkingDir.
 */
export interface BaseImageConfig {
  Env?: string[];
  WorkingDir?: string;
  User?: string;
  Shell?: string[];
  OnBuild?: string[];
}

/** `BaseImageConfigLookup` returns a base image's config for a platform, when already resolved. */
export type BaseImageConfigLookup = (ref: string, platform: Platform) => BaseImageConfig | undefined;
