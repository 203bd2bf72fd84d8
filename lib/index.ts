// ocibake's library API: what a program that builds, publishes or moves images calls. Grouped by
// role, explicit named exports only. cli/ imports nothing else of lib/.

// --- Building a Dockerfile ---
// Build, publish and record: the whole `ocibake build` command.
export { runBuild, type RunBuildSummary } from './bake/run-build.js';
// Build without publishing (ko's split); the outcome is a `BuildResult` any publisher takes.
export { build, type BuildOutcome } from './bake/build.js';
export { type BuildOptions, type RunBuildOptions, effectiveOutputs } from './bake/options.js';
// Plan a build and resolve its bases without running anything (`--dry-run`).
export { dryRun, type DryRunReport } from './bake/dry-run.js';
// BuildKit's build checks without building (`--check`), and the engine for programs of their own.
export { checkBuild, type CheckReport } from './bake/check.js';
export {
  runChecks,
  lintDockerfile,
  checkFailure,
  formatCheckResult,
  RULES,
  parseCheckConfig,
  type CheckResult,
  type CheckOptions,
  type LintReport,
  type CheckLevel,
  type RuleName,
} from './dockerfile/checks/index.js';
export { type BuildStats } from './bake/stage-results.js';
export { type ExecutorChoice } from './bake/pick-executor.js';
export { type OutputSpec } from './output/output-spec.js';
// The build cache shared through a registry or a directory (`--cache-to`/`--cache-from`), and pruning the local one.
export { type CacheSpec, describeCache } from './step-cache/cache-spec.js';
/** Docker's byte sizes (`10GB`, `512m`), for flags that take one. */
export { ramInBytes } from './io/ram-bytes.js';
export { type Entitlement, ENTITLEMENTS, isEntitlement } from './stages/entitlements.js';
export { type CacheMode } from './step-cache/cache-artifact.js';
export { pruneCache, type PruneOptions, type PruneReport } from './bake/cache-prune.js';
export { type SecretSpec } from './exec/secrets.js';
export { type BaseOverride } from './bases/base-names.js';

// --- Publishing a result ---
export { type Publisher, type BuildResult, type Published, type PublishOptions, type PlatformImage } from './output/publisher.js';
// Turn `--output`/`--push`/`--metadata-file` into one validated publisher, before building.
export { publishersFor, type PublishersForOptions } from './output/publishers-for.js';
export { RegistryPublisher, publishToRegistry, type RegistryPublisherOptions } from './output/registry-publisher.js';
export { OciLayoutPublisher } from './output/oci-layout-publisher.js';
export { OciArchivePublisher, type OciArchiveOptions } from './output/oci-archive-publisher.js';
export { DockerArchivePublisher, type DockerArchiveOptions } from './output/docker-archive-publisher.js';
export { MultiPublisher } from './output/multi-publisher.js';
export { MetadataRecorder, type BuildMetadata } from './output/metadata-recorder.js';

// --- Registry verbs (crane's) ---
export { pull, type PullOptions, type PullResult } from './verbs/pull.js';
export { pushLayout } from './verbs/push.js';
export { inspect, type InspectResult } from './verbs/inspect.js';
export { createIndex, type CreateIndexOptions, type CreatedIndex } from './verbs/index-create.js';
// The one client (connection pool, token cache) a command uses for every registry.
export { createRegistryClient, type RegistryFlags } from './connect/registry-client.js';
export {
  type Reference,
  parseReference,
  formatReference,
  RegistryClient,
  type RegistryClientOptions,
  RegistryStore,
  RegistryError,
  AuthError,
  type Credential,
  type Keychain,
  login,
  dockerConfigPath,
} from '../registry/index.js';

// --- The OCI model ---
export { type Digest, parseDigest, sha256 } from './oci/digest.js';
export { MediaType, type MediaFormat } from './oci/media-types.js';
export { type Platform, parsePlatform, parsePlatformList, formatPlatform, normalizePlatform, hostPlatform } from './oci/platform.js';
export { type Descriptor } from './oci/descriptor.js';
export { type Manifest, type Index, type ImageConfig, canonicalJson } from './oci/manifest.js';
export { type BlobReader, type BlobWriter, type ContentStore, type Target, type Opts } from './oci/content-store.js';
export { type Layer, type Image, type ImageIndex, type Artifact } from './image/types.js';
export { loadArtifact } from './image/load.js';
export { validateArtifact, assertValidArtifact } from './image/validate.js';

// --- Stores and layers ---
export { MemoryStore } from './store/memory-store.js';
export { CacheStore } from './store/cache-store.js';
export { OciLayout, REF_NAME_ANNOTATION } from './store/oci-layout.js';
export { CacheLayout, defaultCacheDir } from './cache/layout.js';
export { copyGraph, type CopyGraphResult } from './store/copy.js';
export { RoutingReader } from './store/routing-reader.js';
export { CachingReader } from './store/caching-reader.js';
export { writeLayer, type WriteLayerOptions, type WrittenLayer } from './layer/write-layer.js';
export { walkDirectory } from './layer/walk.js';
export { type LayerEntry } from './layer/entry.js';

// --- The Dockerfile frontend and planner ---
export { parseDockerfile } from './dockerfile/parser.js';
export { type Dockerfile } from './dockerfile/instructions.js';
export { DockerfileError } from './dockerfile/errors.js';
export { planBuild, type PlanOptions } from './plan/plan.js';
export { type BuildPlan } from './plan/types.js';

// --- Errors and progress ---
export { OcibakeError, type ErrorCode, type OcibakeErrorOptions, isOcibakeError, findError } from './errors.js';
export { type ProgressEvent, type ProgressSink } from './progress.js';
