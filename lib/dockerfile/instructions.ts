/**
 * The typed Dockerfile model: what the parser produces and the planner, executor and image
 * assembler consume. One interface per instruction, joined in the `Instruction` union so a
 * `switch (i.kind)` can be checked for exhaustiveness.
 *
 * CONTRACT between lib/dockerfile (producer), lib/plan, lib/exec and lib/build (consumers):
 * fields may be added, none renamed or removed without updating every consumer.
 */

/** `SourceRange` is the 1-based line span (and column of the first line) an instruction came from. */
export interface SourceRange {
  startLine: number;
  endLine: number;
  column?: number;
}

/** `CommandForm` is the shell form (`RUN make`) or the exec/JSON form (`RUN ["make"]`). */
export type CommandForm = { form: 'shell'; text: string } | { form: 'exec'; argv: string[] };

/** `Heredoc` is a here-document attached to RUN, COPY or ADD (`<<EOF` … `EOF`). */
export interface Heredoc {
  name: string;
  /** The body as it is used: for `<<-`, with the leading tabs of every line removed. */
  content: string;
  /** True when any part of the delimiter was quoted: no variable expansion inside. */
  quoted: boolean;
  /** True for `<<-`. */
  chomp: boolean;
  /** The file descriptor the body is fed to, when one was written (`3<<EOF`). */
  fd?: number;
}

/** `RunMount` is one `RUN --mount=...`. */
export type RunMount =
  | {
      type: 'cache';
      target: string;
      id?: string;
      sharing?: 'shared' | 'private' | 'locked';
      from?: string;
      source?: string;
      readonly: boolean;
      mode?: number;
      uid?: number;
      gid?: number;
    }
  | { type: 'secret'; id: string; target?: string; env?: string; required: boolean; mode?: number; uid?: number; gid?: number }
  /** `target` is `''` when the Dockerfile gives none: BuildKit then mounts at the working directory. */
  | { type: 'bind'; target: string; source?: string; from?: string; readwrite: boolean }
  | { type: 'tmpfs'; target: string; size?: number }
  | { type: 'ssh'; id?: string; target?: string; required: boolean };

interface Base<K extends string> {
  kind: K;
  range: SourceRange;
  /** The instruction's original text (continuations joined), for messages and history `created_by`. */
  text: string;
}

/** `FromInstruction` is `FROM [--platform=P] image [AS name]`; `image` and `platform` are unexpanded (the planner expands them with global ARGs). */
export interface FromInstruction extends Base<'FROM'> {
  image: string;
  platform?: string;
  stageName?: string;
}
/** `ArgInstruction` is `ARG NAME[=default] ...`; in the parse `value` is the raw default, in a plan Step it is the resolved value (absent: no value). */
export interface ArgInstruction extends Base<'ARG'> {
  args: { name: string; value?: string }[];
}
/** `EnvInstruction` is `ENV k=v ...` or legacy `ENV k v`; the parse keeps quotes and `$` in keys and values, a plan Step holds them expanded. */
export interface EnvInstruction extends Base<'ENV'> {
  pairs: { key: string; value: string }[];
}
/** `LabelInstruction` is `LABEL k=v ...`; raw in the parse, expanded in a plan Step (as ENV). */
export interface LabelInstruction extends Base<'LABEL'> {
  pairs: { key: string; value: string }[];
}
/** `RunInstruction` is RUN with its mounts, network/security modes and heredocs; the command is never expanded by ocibake (the shell does it). */
export interface RunInstruction extends Base<'RUN'> {
  command: CommandForm;
  mounts: RunMount[];
  network?: 'default' | 'none' | 'host';
  security?: 'sandbox' | 'insecure';
  heredocs: Heredoc[];
}
/** `CmdInstruction` is CMD, recorded into the image config as is. */
export interface CmdInstruction extends Base<'CMD'> {
  command: CommandForm;
}
/** `EntrypointInstruction` is ENTRYPOINT, recorded into the image config as is. */
export interface EntrypointInstruction extends Base<'ENTRYPOINT'> {
  command: CommandForm;
}
/** `CopyInstruction` is COPY; heredoc markers (`<<EOF`) are not in `sources` but in `heredocs`. Words are expanded in a plan Step. */
export interface CopyInstruction extends Base<'COPY'> {
  sources: string[];
  dest: string;
  from?: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  parents: boolean;
  exclude: string[];
  heredocs: Heredoc[];
}
/** `AddInstruction` is ADD (local files, tar auto-extraction, URLs, git); expanded like COPY in a plan Step. */
export interface AddInstruction extends Base<'ADD'> {
  sources: string[];
  dest: string;
  chown?: string;
  chmod?: string;
  link: boolean;
  exclude: string[];
  checksum?: string;
  keepGitDir: boolean;
  heredocs: Heredoc[];
}
/** `WorkdirInstruction` is WORKDIR; a plan Step's `workdir` holds the resolved absolute path. */
export interface WorkdirInstruction extends Base<'WORKDIR'> {
  path: string;
}
/** `UserInstruction` is USER `name[:group]`. */
export interface UserInstruction extends Base<'USER'> {
  user: string;
}
/** `ExposeInstruction` is EXPOSE; a plan Step holds validated, lower-cased `port[/proto]` entries. */
export interface ExposeInstruction extends Base<'EXPOSE'> {
  ports: string[];
}
/** `VolumeInstruction` is VOLUME in JSON or word form. */
export interface VolumeInstruction extends Base<'VOLUME'> {
  paths: string[];
}
/** `StopsignalInstruction` is STOPSIGNAL. */
export interface StopsignalInstruction extends Base<'STOPSIGNAL'> {
  signal: string;
}
/** `HealthcheckInstruction` is HEALTHCHECK NONE or HEALTHCHECK [flags] CMD ... */
export interface HealthcheckInstruction extends Base<'HEALTHCHECK'> {
  /** `none` for `HEALTHCHECK NONE`. */
  test: CommandForm | 'none';
  /** Durations in nanoseconds, as Docker stores them in the config. */
  interval?: number;
  timeout?: number;
  startPeriod?: number;
  startInterval?: number;
  retries?: number;
}
/** `ShellInstruction` is SHELL, always in JSON form. */
export interface ShellInstruction extends Base<'SHELL'> {
  argv: string[];
}
/** `OnbuildInstruction` is ONBUILD; `expression` is the trigger text, recorded into the config unexpanded. */
export interface OnbuildInstruction extends Base<'ONBUILD'> {
  expression: string;
}
/** `MaintainerInstruction` is the deprecated MAINTAINER; the builder records it as the `org.opencontainers.image.authors` label. */
export interface MaintainerInstruction extends Base<'MAINTAINER'> {
  name: string;
}

/** `Instruction` is any Dockerfile instruction after FROM (FROM itself starts a `Stage`). */
export type Instruction =
  | ArgInstruction
  | EnvInstruction
  | LabelInstruction
  | RunInstruction
  | CmdInstruction
  | EntrypointInstruction
  | CopyInstruction
  | AddInstruction
  | WorkdirInstruction
  | UserInstruction
  | ExposeInstruction
  | VolumeInstruction
  | StopsignalInstruction
  | HealthcheckInstruction
  | ShellInstruction
  | OnbuildInstruction
  | MaintainerInstruction;

/** `Stage` is one FROM and the instructions up to the next FROM. */
export interface Stage {
  /** 0-based position in the Dockerfile; `COPY --from=1` refers to it. */
  index: number;
  /** Lower-cased `AS` name, if any. */
  name?: string;
  from: FromInstruction;
  instructions: Instruction[];
  range: SourceRange;
}

/** `Dockerfile` is a parsed file: global ARGs (before the first FROM) and stages. */
export interface Dockerfile {
  /** Path as given by the user, used in every error message. */
  file: string;
  escapeChar: '\\' | '`';
  /** `# syntax=` value, accepted and ignored. */
  syntax?: string;
  globalArgs: ArgInstruction[];
  stages: Stage[];
}
