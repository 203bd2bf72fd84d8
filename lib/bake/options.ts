import type { MediaFormat } from '../oci/media-types.js';
import type { Platform } from '../oci/platform.js';
import type { BaseOverride } from '../bases/base-names.js';
import type { SecretSpec } from '../exec/secrets.js';
import type { OutputSpec } from '../output/output-spec.js';
import type { ProgressSink } from '../progress.js';
import type { RegistryClient } from '../../registry/index.js';
import type { RegistryFlags } from '../connect/registry-client.js';
import type { ExecutorChoice } from './pick-executor.js';
import type { CacheSpec } from '../step-cache/cache-spec.js';
import type { Entitlement } from '../stages/entitlements.js';

/** `BuildOptions` is everything `ocibake build` takes that shapes the image, as a library call. */
export interface BuildOptions {
  contextDir: string;
  /** Dockerfile path; default `<context>/Dockerfile`. */
  dockerfile?: string | undefined;
  /** Target platforms in output order; default the host platform. */
  platforms?: readonly Platform[] | undefined;
  buildArgs?: Record<string, string> | undefined;
  target?: string | undefined;
  secrets?: readonly SecretSpec[] | undefined;
  labels?: Record<string, string> | undefined;
  annotations?: Record<string, string> | undefined;
  /** Default `$OCIBAKE_CACHE` or the XDG cache dir (see `CacheLayout`). */
  cacheDir?: string | undefined;
  noCache?: boolean | undefined;
  /** Go/zig build caches; default `$OCIBAKE_TOOL_CACHE`, else `<cacheDir>/tools`. */
  toolCacheDir?: string | undefined;
  offline?: boolean | undefined;
  format?: MediaFormat | undefined;
  bases?: readonly BaseOverride[] | undefined;
  /** Registry connection settings, used when `registryClient` is not given. */
  registry?: RegistryFlags | undefined;
  /** The client for bases (and pushes); the caller owns it. Without one, the build opens and closes its own. */
  registryClient?: (() => RegistryClient) | undefined;
  /** Timestamps of everything written; default `$SOURCE_DATE_EPOCH` (or the build arg), else 0. */
  sourceDateEpoch?: number | undefined;
  /** Write an index even for one platform (buildx writes a plain manifest then). */
  index?: boolean | undefined;
  /** How RUN runs: every stage in its own image (`image`, the default where namespaces work) or on the host's toolchains (`host`). */
  executor?: ExecutorChoice | undefined;
  /** A RUN for a foreign CPU is an error instead of running under binfmt emulation. */
  noEmulation?: boolean | undefined;
  /**
   * `--allow`: BuildKit's entitlements. `security.insecure` lets `RUN --security=insecure` keep
   * every capability; `network.host` is accepted for buildx parity (RUN shares the host's network).
   */
  allow?: readonly Entitlement[] | undefined;
  /** ocibake's cross-compilation help (GOOS/GOARCH/CC=zig cc …) in stages that declare TARGET* args; BuildKit has none. */
  crossEnv?: boolean | undefined;
  /** `--cache-from`: caches other builds exported, in order; a step found in one does not run. */
  cacheFrom?: readonly CacheSpec[] | undefined;
  /** `--cache-to`: where this build's step results go (collected during the build, written after the outputs). */
  cacheTo?: readonly CacheSpec[] | undefined;
  /** Stage instances run at once; default the number of cores. */
  concurrency?: number | undefined;
  /** gzip level for new layers (default 6). */
  compressionLevel?: number | undefined;
  signal?: AbortSignal | undefined;
  progress?: ProgressSink | undefined;
}

/** `RunBuildOptions` is a build plus where its result goes: the whole `ocibake build` command. */
export interface RunBuildOptions extends BuildOptions {
  tags?: readonly string[] | undefined;
  /** `--push`: same as `--output type=registry`. */
  push?: boolean | undefined;
  outputs?: readonly OutputSpec[] | undefined;
  /** `--push-by-digest`: push to the -t repositories without tags (for `ocibake index create`). */
  pushByDigest?: boolean | undefined;
  metadataFile?: string | undefined;
}

/** `effectiveOutputs` lists the outputs a build writes: explicit ones plus `--push`/`--push-by-digest` as the registry. */
export function effectiveOutputs(o: RunBuildOptions): OutputSpec[] {
  const outs: OutputSpec[] = [...(o.outputs ?? [])];
  if ((o.push || o.pushByDigest) && !outs.some((x) => x.type === 'registry')) outs.push({ type: 'registry' });
  return outs;
}
