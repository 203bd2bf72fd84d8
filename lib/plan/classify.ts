import { formatPlatform, platformEquals, type Platform } from '../oci/platform.js';
import type { StageKind } from './types.js';

/** `ClassifyInput` is what decides whether a stage runs on the host or is assembled for the target. */
export interface ClassifyInput {
  /** The platform the stage's filesystem is for, after `--platform` expansion or inheritance. */
  platform: Platform;
  buildPlatform: Platform;
  /** The `--platform` text as written, when the FROM line has one. */
  explicitPlatform?: string;
  /** True when the platform follows the target (`--platform=$TARGETPLATFORM`, or none). */
  followsTarget?: boolean;
  /** Name of the stage this one is `FROM`, with its kind, when based on a stage. */
  parent?: { label: string; kind: StageKind };
  hasRun: boolean;
}

/**
 * `classifyStage` decides host vs target, with the reason shown by `--dry-run`:
 * - `host` when the stage's platform is the build platform and either the FROM line asked for it
 *   (`FROM --platform=$BUILDPLATFORM golang AS build`), or it is based on a host stage, or it has
 *   RUN (a helper `FROM gcc AS tool` + `RUN`, built for the machine's own platform, runs natively);
 * - `target` otherwise: built for the target platform (no `--platform`, or `$TARGETPLATFORM`) and
 *   assembled from layers with nothing executed. A RUN there is rejected later by
 *   `checkNoRunInTargetStages`.
 * The planner then turns the stages that become the image (the target stage and the stages it is
 * FROM) back into `target` unless their FROM asked for the build platform (`markImageChain`).
 */
export function classifyStage(input: ClassifyInput): { kind: StageKind; reason: string } {
  const p = formatPlatform(input.platform);
  const bp = formatPlatform(input.buildPlatform);
  const onBuild = platformEquals(input.platform, input.buildPlatform);
  if (onBuild) {
    if (input.explicitPlatform !== undefined && input.followsTarget !== true) {
      return { kind: 'host', reason: `FROM --platform=${input.explicitPlatform} resolves to the build platform ${bp}: runs natively on this machine` };
    }
    if (input.parent?.kind === 'host') {
      return { kind: 'host', reason: `based on stage ${input.parent.label}, which runs natively on the build platform ${bp}` };
    }
    if (input.hasRun) {
      if (input.explicitPlatform !== undefined) {
        return {
          kind: 'host',
          reason: `FROM --platform=${input.explicitPlatform} is ${p}, which is the build platform, and the stage has RUN: runs natively on this machine`,
        };
      }
      return { kind: 'host', reason: `built for ${p}, which is the build platform, and has RUN: runs natively on this machine` };
    }
    const how = input.explicitPlatform !== undefined ? `FROM --platform=${input.explicitPlatform} is ${p}` : `built for ${p}`;
    return { kind: 'target', reason: `${how} (the build platform) without RUN: assembled from layers, nothing executes` };
  }
  if (input.explicitPlatform !== undefined) {
    return {
      kind: 'target',
      reason: `FROM --platform=${input.explicitPlatform} is ${p}, not the build platform ${bp}: assembled from layers, nothing executes`,
    };
  }
  if (input.parent !== undefined) {
    return { kind: 'target', reason: `based on stage ${input.parent.label}, built for the target platform ${p}: assembled from layers, nothing executes` };
  }
  return { kind: 'target', reason: `built for the target platform ${p}: assembled from layers, nothing executes` };
}
