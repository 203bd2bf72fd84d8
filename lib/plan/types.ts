import type { Platform } from '../oci/platform.js';
import type { Instruction, Stage } from '../dockerfile/instructions.js';

/**
 * The build plan: which stage instances exist for a build, in which order, for which platform.
 *
 * CONTRACT between lib/plan (producer, from a parsed Dockerfile + options) and lib/exec (runs
 * `host` instances into directories) and lib/build (assembles `target` instances into images).
 * Fields may be added, none renamed or removed without updating every consumer.
 */

/**
 * `host` stages run natively on the build machine (`FROM --platform=$BUILDPLATFORM …`, or a
 * helper stage whose platform equals the build platform and that has RUN). `target` stages are
 * assembled from layers without executing anything: the final image and the stages it is FROM
 * (unless their FROM asks for the build platform), and image-only stages.
 */
export type StageKind = 'host' | 'target';

/** Where a stage instance's initial filesystem comes from. */
export type BaseSource =
  | { type: 'scratch' }
  /** Another instance of this plan (`FROM build`). */
  | { type: 'stage'; key: string }
  /** An image reference, already expanded (`alpine:3.20`), pulled for `platform`. */
  | { type: 'image'; ref: string; platform: Platform };

/**
 * `Step` is one instruction of an instance after build-time expansion for that instance's
 * platform: words of COPY/ADD/ENV/LABEL/WORKDIR/USER/EXPOSE/VOLUME/STOPSIGNAL are expanded;
 * RUN text is not (the shell expands it with `env`).
 */
export interface Step {
  instruction: Instruction;
  /**
   * The environment a RUN at this point sees: the stage's ENV (inherited from a stage base too)
   * overlaid on the ARGs in scope, including the automatic platform args declared with ARG.
   */
  env: Record<string, string>;
  /** The working directory in effect when this step runs (after earlier WORKDIRs), absolute. */
  workdir: string;
  /** The SHELL in effect (default `["/bin/sh","-c"]`). */
  shell: string[];
  /** The USER in effect, if any. */
  user?: string;
  /** For COPY --from / RUN --mount from=: the instance key it reads, when it names a stage. */
  fromKey?: string;
  /** For COPY --from=<image reference>: the expanded image reference. */
  fromImage?: string;
  /**
   * The ENV in effect after this step, without ARGs: what the image config's `Env` gets (ARG
   * values must not leak into the image). Inherited from a stage base; an image base's own Env is
   * not known at plan time and is layered underneath by the builder.
   */
  imageEnv?: Record<string, string>;
  /** For RUN: each `--mount` with `from=`, by position in `instruction.mounts`, as a key or an image. */
  mounts?: { index: number; fromKey?: string; fromImage?: string }[];
}

/** `StageInstance` is one stage built for one platform (or shared by all, see `targetPlatform`). */
export interface StageInstance {
  /** Unique, stable key, e.g. `build` (shared) or `build@linux/arm64` or `2@linux/amd64`. */
  key: string;
  stage: Stage;
  kind: StageKind;
  /** Why it has that kind, shown by --dry-run and in errors. */
  reason: string;
  /** The platform the stage's filesystem is for (BUILDPLATFORM for host stages). */
  platform: Platform;
  /**
   * The target platform this instance serves; undefined when the instance reads no TARGET* arg
   * and is therefore shared by every target platform (run once, deduplicated).
   */
  targetPlatform?: Platform;
  base: BaseSource;
  steps: Step[];
  /** Keys of instances this one reads (FROM <stage>, COPY --from, RUN --mount from=). */
  deps: string[];
  /** The ARG names this stage reads that are automatic TARGET* args (why it is per-platform). */
  targetArgsUsed: string[];
}

/** `PlannedTarget` is the final instance for one requested platform. */
export interface PlannedTarget {
  platform: Platform;
  /** Key of the instance that becomes the image for this platform. */
  final: string;
}

/** `PlanWarning` is a recoverable problem (unused --build-arg, deprecated MAINTAINER, ...). */
export interface PlanWarning {
  message: string;
  file?: string;
  line?: number;
}

/** `BuildPlan` is the whole build: instances in dependency order (deps before dependents). */
export interface BuildPlan {
  /** The Dockerfile path as given, for messages. */
  file?: string;
  /** SOURCE_DATE_EPOCH (seconds) from --build-arg or the option, for timestamps; undefined: epoch 0. */
  sourceDateEpoch?: number;
  buildPlatform: Platform;
  targets: PlannedTarget[];
  instances: StageInstance[];
  warnings: PlanWarning[];
}
