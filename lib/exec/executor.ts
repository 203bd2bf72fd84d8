/**
 * The executor seam (ko's `withBuilder`): everything that actually starts a RUN process goes
 * through `Executor.run`, so the stage runner can be tested with a recording fake and the
 * namespace and plain implementations can be swapped by `--executor`.
 */

/** `ExecMount` is one path made visible to a RUN at an absolute path of the stage. */
export interface ExecMount {
  /** Absolute path inside the stage (`/root/.cache/go-build`, `/run/secrets/token`). */
  target: string;
  /** Host path that appears there. */
  source: string;
  kind: 'dir' | 'file';
  readonly: boolean;
  /**
   * Writes are allowed but thrown away after the RUN (BuildKit's `bind,rw`): the namespace
   * runner mounts an overlay with a throw-away upper dir.
   */
  discardWrites?: boolean;
}

/** `ExecRequest` is one process to run for a RUN step. */
export interface ExecRequest {
  /** Host directory holding the stage's filesystem; it becomes `/` for the process where possible. */
  rootfs: string;
  /** Host directory on the same filesystem as `rootfs` for overlay work dirs; emptied by the caller. */
  scratchDir: string;
  argv: string[];
  /** The complete environment (nothing is inherited from ocibake's own process). */
  env: Record<string, string>;
  /** Absolute working directory inside the stage. */
  cwd: string;
  mounts: ExecMount[];
  /** Host dirs the RUN must not see through the host view (ocibake's own work and cache dirs). */
  hidden?: string[] | undefined;
  network?: 'default' | 'none' | 'host' | undefined;
  signal?: AbortSignal | undefined;
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
}

/** `ExecResult` is how the process ended: an exit code, or the signal that killed it. */
export interface ExecResult {
  exitCode: number | null;
  signal: string | null;
}

/** `Executor` runs RUN processes for host stages. */
export interface Executor {
  /** `namespace` maps stage paths at their absolute location; `plain` runs in the mapped directory. */
  readonly name: 'namespace' | 'plain';
  run(req: ExecRequest): Promise<ExecResult>;
}

/** `ExecutorMode` is the `--executor` flag: `auto` picks namespace when the host supports it. */
export type ExecutorMode = 'auto' | 'namespace' | 'plain';

/** `ExecutorWarning` is told once per process that the plain fallback is in use, and why. */
export type ExecutorWarning = (message: string) => void;
