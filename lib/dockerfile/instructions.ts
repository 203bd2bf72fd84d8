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

/** `Heredoc` is a here-document attached to RUN or COPY (`<<EOF` … `EOF`). */
export interface Heredoc {
  name: string;
  content: string;
  /** True when the delimiter was quoted: no variable expansion inside. */
  quoted: boolean;
  /** True for `<<-`: leading tabs stripped. */
  chomp: boolean;
}

/** `RunMount` is one `RUN --mount=...`. */
export type RunMount =
  | { type: 'cache'; target: string; id?: string; sharing?: 'shared' | 'private' | 'locked'; from?: string; source?: string; readonly: boolean; mode?: number; uid?: number; gid?: number }
  | { type: 'secret'; id: string; target?: string; env?: string; required: boolean; mode?: number; uid?: number; gid?: number }
  | { type: 'bind'; target: string; source?: string; from?: string; readwrite: boolean }
  | { type: 'tmpfs'; target: string; size?: number }
  | { type: 'ssh'; id?: string; target?: string; required: boolean };

interface Base<K extends string> {
  kind: K;
  range: SourceRange;
  /** The instruction's original text (continuations joined), for messages and history `created_by`. */
  text: string;
}

export interface FromInstruction extends Base<'FROM'> { image: string; platform?: string; stageName?: string }
export interface ArgInstruction extends Base<'ARG'> { args: { name: string; value?: string }[] }
export interface EnvInstruction extends Base<'ENV'> { pairs: { key: string; value: string }[] }
export interface LabelInstruction extends Base<'LABEL'> { pairs: { key: string; value: string }[] }
export interface RunInstruction extends Base<'RUN'> {
  command: CommandForm;
  mounts: RunMount[];
  network?: 'default' | 'none' | 'host';
  security?: 'sandbox' | 'insecure';
  heredocs: Heredoc[];
}
export interface CmdInstruction extends Base<'CMD'> { command: CommandForm }
export interface EntrypointInstruction extends Base<'ENTRYPOINT'> { command: CommandForm }
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
export interface WorkdirInstruction extends Base<'WORKDIR'> { path: string }
export interface UserInstruction extends Base<'USER'> { user: string }
export interface ExposeInstruction extends Base<'EXPOSE'> { ports: string[] }
export interface VolumeInstruction extends Base<'VOLUME'> { paths: string[] }
export interface StopsignalInstruction extends Base<'STOPSIGNAL'> { signal: string }
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
export interface ShellInstruction extends Base<'SHELL'> { argv: string[] }
export interface OnbuildInstruction extends Base<'ONBUILD'> { expression: string }
export interface MaintainerInstruction extends Base<'MAINTAINER'> { name: string }

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
