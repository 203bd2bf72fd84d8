/**
 * `ProgressEvent` is everything a build, pull or push reports while it runs. lib emits these;
 * cli/render/* draws them (live TTY view, plain lines on CI, or one JSON object per line).
 * lib never writes to the terminal itself.
 */
export type ProgressEvent =
  | { type: 'plan'; platforms: string[]; stages: { key: string; kind: 'host' | 'target'; reason: string }[] }
  | { type: 'warning'; message: string; file?: string | undefined; line?: number | undefined }
  | { type: 'info'; message: string }
  /** How ocibake decided something (sandbox mode, copy-on-write, cache sweeps): shown with --debug. */
  | { type: 'debug'; message: string }
  | { type: 'base'; platform: string; ref: string; digest: string }
  /** A stage instance started or finished; `cached` when its outputs came from the stage cache. */
  | { type: 'stage'; key: string; platform?: string | undefined; state: 'start' | 'done' | 'cached' | 'failed'; durationMs?: number | undefined }
  /** A step within a stage instance (`[linux/arm64 build 3/7] RUN go build`). */
  | { type: 'step'; key: string; platform?: string | undefined; index: number; total: number; text: string; cached?: boolean | undefined }
  /** Output of a RUN, one line at a time, already prefixed by nothing: renderers add the prefix. */
  | { type: 'log'; key: string; platform?: string | undefined; stream: 'stdout' | 'stderr'; line: string }
  | { type: 'layer'; platform: string; digest: string; size: number; diffId: string; created_by: string }
  /** Bytes moved for a blob: `state` says whether it was uploaded (registry), written (file), mounted, or already there. */
  | {
      type: 'blob';
      target: string;
      digest: string;
      size: number;
      state: 'start' | 'progress' | 'uploaded' | 'written' | 'mounted' | 'exists';
      bytes?: number | undefined;
    }
  | { type: 'image'; platform: string; digest: string; size: number }
  | { type: 'index'; digest: string; mediaType: string }
  /** A result reached an output: pushed to a registry reference, or written to a file or layout. */
  | { type: 'published'; target: string; digest: string }
  | { type: 'done'; durationMs: number };

/** `ProgressSink` receives events. Implementations must not throw. */
export type ProgressSink = (event: ProgressEvent) => void;

/** `noProgress` discards events (library use without a renderer). */
export const noProgress: ProgressSink = () => {};
