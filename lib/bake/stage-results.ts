import type { Image } from '../image/types.js';
import type { SandboxReport } from '../sandbox/caps.js';
import type { CacheEntry } from '../step-cache/cache-artifact.js';

/** `BuildStats` counts what a build did, for the summary and the metadata file. */
export interface BuildStats {
  /** How RUN ran: every stage in its own image (and how it was isolated), or on the host's toolchains. */
  executor: 'image' | 'host';
  /** How the image executor isolated RUN (absent with --executor=host). */
  sandbox?: SandboxReport | undefined;
  stepsRun: number;
  stepsCached: number;
  layersWritten: number;
  layersReused: number;
  /** Steps whose results came from a `--cache-from` cache (counted in `stepsCached` too). */
  stepsImported?: number | undefined;
  /** RUN steps executed through binfmt emulation, their time, and for which platforms. */
  runsEmulated: number;
  emulatedMs: number;
  emulatedPlatforms: string[];
  durationMs: number;
}

/** `StagesBuilt` is what either executor hands to the image step: each target's image and base, and counters. */
export interface StagesBuilt {
  finals: Map<string, { image: Image; base?: { name: string; digest: string } | undefined }>;
  stats: Omit<BuildStats, 'durationMs'>;
  /** Step results for `--cache-to` (the image executor only). */
  cacheExports?: Map<string, { entry: CacheEntry; inImage: boolean }> | undefined;
}
