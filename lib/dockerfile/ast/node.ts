/**
 * The concrete syntax tree of a Dockerfile, shaped like BuildKit's parser `Node`: one node per
 * instruction with the keyword as written, the raw `--flags`, the argument words as the
 * instruction's line parser split them, heredoc bodies and the source lines. The typed model in
 * `instructions.ts` is built from it; the build checks read both.
 */

/** `AstHeredoc` is a here-document as the parser reads it: the body is unprocessed (not chomped). */
export interface AstHeredoc {
  /** The delimiter word with quotes removed (`EOF` for `<<'EOF'`). */
  name: string;
  /** The file descriptor in front of `<<` (`3<<EOF`), 0 when none. */
  fileDescriptor: number;
  /** False when any part of the delimiter was quoted: the body is then not expanded. */
  expand: boolean;
  /** True for `<<-`: leading tabs are stripped from the body when it is used. */
  chomp: boolean;
  /** The body lines, each with its line ending, as they appear in the file. */
  content: string;
}

/** `InstructionNode` is one instruction of the tree (BuildKit's top-level `Node`). */
export interface InstructionNode {
  /** The keyword as written (`from`, `FROM`, `From`). */
  keyword: string;
  /** The logical line: continuations joined, as the line parsers saw it. */
  original: string;
  /** The `--name[=value]` words before the arguments, quotes removed. */
  flags: readonly string[];
  /** The arguments as split by the instruction's line parser (BuildKit's `Next` chain). */
  args: readonly string[];
  /** ONBUILD's trigger instruction. */
  trigger?: InstructionNode;
  /** True when the arguments were a JSON array of strings (exec form). */
  json: boolean;
  heredocs: readonly AstHeredoc[];
  /** 1-based first line of the instruction. */
  startLine: number;
  /** 1-based last line, heredoc bodies included. */
  endLine: number;
  /** 1-based column of the keyword on `startLine`. */
  column: number;
  /** The comment lines right above the instruction, `#` and blanks removed. */
  comments: readonly string[];
}

/** `AstDirective` is a parser directive at the top of the file (`# escape=`, `# syntax=`, `# check=`). */
export interface AstDirective {
  name: 'escape' | 'syntax' | 'check';
  value: string;
  line: number;
}

/** `EmptyContinuation` is an empty line inside a continued instruction: accepted, but deprecated. */
export interface EmptyContinuation {
  /** The empty line. */
  line: number;
  /** The last line of the continued instruction, where BuildKit reports it. */
  instructionEnd: number;
  /** The instruction's joined text. */
  text: string;
}

/** `DockerfileAst` is a parsed file: the instruction nodes and what the parser learned on the way. */
export interface DockerfileAst {
  children: InstructionNode[];
  escape: '\\' | '`';
  directives: AstDirective[];
  emptyContinuations: EmptyContinuation[];
}
