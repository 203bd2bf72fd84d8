// The shape of tables.json: BuildKit's Go test tables of parser/ and instructions/ as data.

/** A heredoc as the tables give it. */
export interface TableHeredoc {
  name: string;
  content: string;
  expand: boolean;
  chomp: boolean;
  fd: number;
}

/** A parser-table case: heredocs of one instruction, or only their names. */
export interface HeredocCase {
  source: string;
  dockerfile: string;
  heredocs?: TableHeredoc[] | null;
  names?: string[];
}

/** An instructions-table case: an error, a parse that must succeed, or the typed result. */
export interface InstructionCase {
  source: string;
  dockerfile: string;
  error?: string;
  ok?: boolean;
  healthTest?: string[];
  run?: { shell: boolean; command: string[]; files: { name: string; data: string; chomp: boolean }[] };
  mounts?: { type: string; target: string }[];
  copy?: { dest: string; sourcePaths: string[]; sourceContents: { path: string; data: string; expand: boolean }[] };
}

/** A JSON-array case (parser.TestJSONArraysOfStrings). */
export interface JsonCase {
  source: string;
  json: string;
  argv?: string[];
  error?: string;
}

/** A BFlags case (instructions.TestBuilderFlags, with flags str1 (string) and bool1 (bool)). */
export interface BflagCase {
  source: string;
  args: string[];
  expect: { ok?: boolean; error?: boolean; str1?: string; bool1?: boolean };
}

/** The miscellaneous parser cases: line numbers, empty-continuation warnings, scanner errors. */
export interface MiscCase {
  source: string;
  file?: string;
  dockerfile?: string;
  lines?: [number, number][];
  warnedInstructions?: string[];
  error?: string;
}

/** `Tables` is tables.json. */
export interface Tables {
  heredoc: HeredocCase[];
  instructions: InstructionCase[];
  json: JsonCase[];
  bflags: BflagCase[];
  misc: MiscCase[];
}
