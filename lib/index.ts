// ocibake's public library API. Explicit named exports only (no `export *`), grouped by area.
// cli/ imports only this file. Keep each area's block together so parallel work merges cleanly.

// --- errors ---
export { OcibakeError, type ErrorCode, type OcibakeErrorOptions, isOcibakeError, wrapError } from './errors.js';

// --- oci model ---
export {
  type Digest,
  parseDigest,
  sha256,
  MediaType,
  type MediaFormat,
  type Platform,
  parsePlatform,
  parsePlatformList,
  formatPlatform,
  normalizePlatform,
  hostPlatform,
  type Descriptor,
  type Manifest,
  type Index,
  type ImageConfig,
  canonicalJson,
} from './oci/index.js';

// --- layer / store / image / output (issue 2) ---
export {
  MemoryStore,
  CacheStore,
  type CacheStoreOptions,
  defaultCacheDir,
  OciLayout,
  type OciLayoutOptions,
  REF_NAME_ANNOTATION,
  copyGraph,
  childrenOf,
  type CopyEvent,
  type CopyGraphOptions,
  type CopyGraphResult,
  type Ingester,
  isIngester,
  readBlob,
  BlobNotFoundError,
  CorruptBlobError,
  StoreError,
  type CorruptBlobReporter,
} from './store/index.js';
export {
  type LayerEntry,
  type EntryType,
  walkDirectory,
  type WalkOptions,
  tarStream,
  type TarOptions,
  parallelGzip,
  type GzipOptions,
  writeLayer,
  type WriteLayerOptions,
  type WrittenLayer,
  extractLayer,
  type ExtractOptions,
  type ExtractResult,
  readImagePaths,
  UnsafeArchiveError,
  LayerWriteError,
} from './layer/index.js';
export {
  type Layer,
  type Image,
  type ImageIndex,
  type Artifact,
  buildImage,
  type BuildImageOptions,
  type AppendedLayer,
  type ConfigChanges,
  buildIndex,
  type BuildIndexOptions,
  imageFromBytes,
  loadArtifact,
  loadImage,
  putArtifact,
  validateArtifact,
  assertValidArtifact,
  type ValidateOptions,
  ImageError,
} from './image/index.js';
export {
  type BuildResult,
  type Published,
  type Publisher,
  type PublishOptions,
  rootDescriptor,
  OciLayoutPublisher,
  OciArchivePublisher,
  type OciArchiveOptions,
  DockerArchivePublisher,
  type DockerArchiveOptions,
  OutputError,
} from './output/index.js';

// --- registry-backed operations (issue 3) ---
export {
  type Reference,
  parseReference,
  formatReference,
  RegistryClient,
  type RegistryClientOptions,
  RegistryStore,
  type RegistryStoreOptions,
  RegistryError,
  AuthError,
  type Credential,
  type Keychain,
  type HostConfig,
  selectPlatform,
  login,
  dockerConfigPath,
} from '../registry/index.js';
export { createRegistryClient, type RegistryFlags } from './registry-ops/client.js';
export { resolveBase, type ResolvedBase } from './registry-ops/resolve-base.js';
export { pull, type PullOptions, type PullResult } from './registry-ops/pull.js';
export { inspect, type InspectResult } from './registry-ops/inspect.js';
export { pushLayout } from './registry-ops/push-layout.js';
export {
  publishToRegistry,
  type PublishInput,
  type PublishOptions as RegistryPublishOptions,
  type Published as RegistryPublished,
} from './output/registry.js';

// --- dockerfile / plan (issue 4) ---
export type {
  Dockerfile,
  Stage,
  Instruction,
  FromInstruction,
  RunInstruction,
  CopyInstruction,
  AddInstruction,
  CommandForm,
  Heredoc,
  RunMount,
  SourceRange,
} from './dockerfile/instructions.js';
export { parseDockerfile, type ParsedDockerfile, type DockerfileWarning } from './dockerfile/parser.js';
export { DockerfileError } from './dockerfile/errors.js';
export { expandWord, type Lookup, ExpansionError } from './dockerfile/expand.js';
export {
  loadDockerignore,
  parseDockerignore,
  type Dockerignore,
  type IgnorePattern,
} from './dockerfile/dockerignore.js';
export type { BuildPlan, StageInstance, Step, StageKind, BaseSource, PlannedTarget, PlanWarning } from './plan/types.js';
export { planBuild, type PlanOptions } from './plan/plan.js';
export type { BaseImageConfig, BaseImageConfigLookup } from './plan/draft.js';
export { checkNoRunInTargetStages, RUN_IN_TARGET_HINT } from './plan/check.js';
export { formatPlan } from './plan/format.js';
export { TARGET_ARGS, BUILD_ARGS } from './plan/scope.js';

// --- exec (issue 5) ---
export {
  runHostStages,
  formatStepPrefix,
  type RunHostStagesOptions,
  type HostStageResult,
} from './exec/run-host-stages.js';
export { type Executor, type ExecutorMode, type ExecRequest, type ExecResult, type ExecMount } from './exec/executor.js';
export { createExecutor } from './exec/select-executor.js';
export { crossEnv, pickCCompiler, type CCompiler, type CrossEnvOptions } from './exec/cross-env.js';
export { archInfo, type ArchInfo } from './exec/arch-table.js';
export { toolchainFor, checkToolchain, type Toolchain } from './exec/toolchains.js';
export { type SecretSource } from './exec/secrets.js';
export { RunFailedError, ToolMissingError, SecretError, ExecError } from './exec/errors.js';
// build context (shared with the image builder's COPY)
export { type ContextEntry, type PathFilter } from './context/entry.js';
export { SourceTree } from './context/source-tree.js';
export { resolveCopy, type CopySpec, type ResolveOptions } from './context/resolve-copy.js';
export { writeEntries } from './context/write-entries.js';
export { entriesDigest, FileHasher } from './context/entries-digest.js';
export { parseUserDb, parseChown, parseChmod, type UserDb, type Owner } from './context/owner.js';
export { ContextError } from './context/errors.js';

// --- build (issue 6) ---
export { type ProgressEvent, type ProgressSink, noProgress } from './progress.js';
export { build, type BuildOptions, type BuildOutcome, type PlatformImage } from './build/build.js';
export { loadPlan, resolveSourceDateEpoch, type LoadedPlan } from './build/load-plan.js';
export { publishBuild, type PublishedOutput, type PublishBuildOptions } from './build/publish.js';
export { dryRun, type DryRunReport } from './build/dry-run.js';
export { createIndex, type CreateIndexOptions, type CreatedIndex } from './build/index-create.js';
export { runBuild, effectiveOutputs, type RunBuildOptions, type RunBuildSummary } from './build/run.js';
export { writeMetadataFile, compressorIdentity, type BuildMetadata } from './build/metadata.js';
export { type OutputSpec, type SecretSpec, type BaseOverride, parseOutputSpec, parseBuildArgs, parseSecretSpec, parseBaseOverride, parseFormat, parseKeyValue } from './build/options.js';
