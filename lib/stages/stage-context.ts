import type pLimit from 'p-limit';
import type { FileHasher } from '../context/entries-digest.js';
import type { PathFilter } from '../context/entry.js';
import type { SecretStore } from '../exec/secrets.js';
import type { MediaFormat } from '../oci/media-types.js';
import type { ProgressSink } from '../progress.js';
import type { SandboxCaps } from '../sandbox/caps.js';
import type { CacheStore } from '../store/cache-store.js';
import type { RoutingReader } from '../store/routing-reader.js';
import type { LayerMemo } from '../assemble/layer-memo.js';
import type { BaseResolver } from '../bases/resolver.js';
import type { Materializer } from './fs-layers.js';
import type { CacheLocks } from './run-mounts.js';
import type { SnapshotOps } from './snapshot-ops.js';
import type { StepRecords } from './step-records.js';
import type { CacheMode } from '../step-cache/cache-artifact.js';
import type { CacheImports } from '../step-cache/cache-import.js';

/** Settings every layer a build writes shares. */
export interface LayerSettings {
  format: MediaFormat;
  sourceDateEpoch: number;
  level: number;
  noCache: boolean;
}

/**
 * `StageContext` is everything the steps of every stage share in one build: where files come
 * from (the context, the resolver, the build's store), where results go (cache, snapshots, step
 * records, the layer memo), how RUN is isolated, and where progress is reported.
 */
export interface StageContext {
  dockerfile: string;
  contextDir: string;
  ignore: PathFilter;
  tmpDir: string;
  caps: SandboxCaps;
  ops: SnapshotOps;
  materializer: Materializer;
  cache: CacheStore;
  store: RoutingReader;
  resolver: BaseResolver;
  records: StepRecords;
  memo: LayerMemo;
  hasher: FileHasher;
  secrets: SecretStore;
  cacheMountsDir: string;
  locks: CacheLocks;
  settings: LayerSettings;
  /** Bounds the RUN processes running at once. */
  runLimit: ReturnType<typeof pLimit>;
  /** `--no-emulation`: a RUN for a foreign CPU is an error instead. */
  noEmulation: boolean;
  /** `--allow security.insecure`: `RUN --security=insecure` keeps every capability; without it such a RUN is an error. */
  allowInsecure: boolean;
  /** `--cross-env`: GOOS/GOARCH/CC… for RUNs of stages that declare TARGET* args (see `crossHelp`). */
  crossEnv: boolean;
  /** `--cache-from`: step results other builds exported; a step found there does not run. */
  imports?: CacheImports | undefined;
  /** `--cache-to`'s mode: which step results the build collects for export (`max` writes a layer for every step). */
  exportMode?: CacheMode | undefined;
  progress: ProgressSink;
  signal?: AbortSignal | undefined;
}
