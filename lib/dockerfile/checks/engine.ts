import { isOcibakeError } from '../../errors.js';
import { readDirective } from '../ast/directives.js';
import type { DockerfileAst, InstructionNode } from '../ast/node.js';
import { parseAst } from '../ast/parse.js';
import { DockerfileError, SourceText } from '../errors.js';
import { parseDockerfile, type ParsedDockerfile } from '../parser.js';
import { parseCheckConfig, type CheckConfig } from './config.js';
import { dispatchInstruction, type IgnoreMatcher } from './dispatch.js';
import { checkDefaultBaseNames, checkFromLine } from './from-rules.js';
import { automaticArgs, globalScope, type ScopePlatforms } from './global-scope.js';
import { reachableStages } from './reachable.js';
import { Reporter, type CheckResult } from './result.js';
import { StageState, type BaseImageConfig } from './stage-state.js';
import { checkEmptyContinuations, checkInstructionCasing, checkInstructionSyntax, checkStageNames } from './syntax-rules.js';

/** `CheckOptions` are the build's inputs the checks depend on. */
export interface CheckOptions {
  /** `--build-arg` values; a name without a value (undefined) counts as not given. */
  buildArgs?: Readonly<Record<string, string | undefined>>;
  /** The build context's .dockerignore, for CopyIgnoredFile. */
  ignore?: IgnoreMatcher;
  /** The resolved config of a stage's base image (by stage index and expanded reference), when known. */
  baseImage?: (stage: { index: number; ref: string }) => BaseImageConfig | undefined;
  /** `--target`: the stage built (default: the last). */
  targetStage?: string;
  /**
   * Check every stage (what `docker build --check` does without `--target`). Otherwise only the
   * stages the target needs are dispatched, as in a build.
   */
  allStages?: boolean;
  /** The platforms the automatic args describe (default: this machine, for both). */
  platforms?: ScopePlatforms;
  /** A check configuration that wins over `# check=` (BuildKit's `BUILDKIT_DOCKERFILE_CHECK` build arg also does). */
  config?: string;
}

/**
 * `runChecks` runs BuildKit's build checks (`docker build --check`) on a parsed Dockerfile and
 * returns the findings in the order BuildKit reports them, each at its instruction. The
 * `# check=skip=…;error=true;experimental=…` directive (or `options.config`) selects the rules
 * and makes findings errors; use `checkFailure(results)` to fail a build on them. Parse with
 * `{ lenient: true }` so duplicate and reserved stage names are reported rather than thrown.
 *
 *     const results = runChecks(parseDockerfile(text, 'Dockerfile', { lenient: true }), { buildArgs: { VERSION: '1.2' } });
 *     for (const r of results) console.error(formatCheckResult(r));
 */
export function runChecks(df: ParsedDockerfile, options: CheckOptions = {}): CheckResult[] {
  const out = new Reporter(df.file, checkConfig(df, options));
  const buildArgs = new Map<string, string>();
  for (const [k, v] of Object.entries(options.buildArgs ?? {})) if (v !== undefined) buildArgs.set(k, v);
  checkEmptyContinuations(df.ast, out);
  checkInstructionSyntax(df.ast, out);
  checkStageNames(df.stages, out);
  checkInstructionCasing(df.ast, out);

  const target = targetIndex(df, options.targetStage);
  const automatic = automaticArgs(options.platforms, df.stages[target]?.name ?? '', buildArgs);
  checkDefaultBaseNames(df.stages, globalScope(df.globalArgs, automatic, undefined, df.escapeChar), df.escapeChar, out);
  const scope = globalScope(df.globalArgs, automatic, buildArgs, df.escapeChar);
  if (scope === undefined) return out.results;

  const baseOf = new Map<number, number>();
  const refs = new Map<number, string>();
  const names = new Map<string, number>();
  for (const s of df.stages) {
    const ref = checkFromLine(s, scope, df.escapeChar, out);
    if (ref !== undefined) {
      refs.set(s.index, ref);
      const base = names.get(ref);
      if (base !== undefined) baseOf.set(s.index, base);
    }
    if (s.name !== undefined) names.set(s.name, s.index);
  }

  const dispatched = options.allStages === true ? undefined : reachableStages(df.stages, target, baseOf);
  const nodes = new Map<number, InstructionNode>(df.ast.children.map((n) => [n.startLine, n]));
  const finals = new Map<number, StageState>();
  const ctx = { global: scope, buildArgs, escape: df.escapeChar, out, ignore: options.ignore };
  for (const s of df.stages) {
    if (dispatched !== undefined && !dispatched.has(s.index)) continue;
    const base = baseOf.get(s.index);
    const ref = refs.get(s.index) ?? '';
    const baseState = base === undefined ? undefined : finals.get(base);
    const st =
      baseState !== undefined
        ? StageState.fromStage(baseState)
        : StageState.fromImage(ref === 'scratch' ? undefined : options.baseImage?.({ index: s.index, ref }));
    for (const ins of s.instructions) {
      const node = nodes.get(ins.range.startLine);
      if (node !== undefined) dispatchInstruction(ins, node, st, ctx);
    }
    finals.set(s.index, st);
  }
  return out.results;
}

/** `LintReport` is what `--check` shows: the findings, and the error that stops the build if any. */
export interface LintReport {
  results: CheckResult[];
  /** The Dockerfile's syntax error; the findings are then those for the lines before it. */
  error?: DockerfileError;
}

/**
 * `lintDockerfile` parses a Dockerfile leniently and runs the checks: what `--check` needs. When
 * the file has a syntax error, the report carries it together with the findings BuildKit makes
 * before it stops (empty continuations, MAINTAINER and stage-name casing of the earlier lines).
 *
 *     const { results, error } = lintDockerfile(text, 'Dockerfile', { allStages: true });
 */
export function lintDockerfile(text: string, file: string, options: CheckOptions = {}): LintReport {
  let df: ParsedDockerfile;
  try {
    df = parseDockerfile(text, file, { lenient: true });
  } catch (err) {
    if (!(err instanceof DockerfileError)) throw err;
    return { results: beforeError(text, file, options, err), error: err };
  }
  return { results: runChecks(df, options) };
}

function beforeError(text: string, file: string, options: CheckOptions, err: DockerfileError): CheckResult[] {
  let ast: DockerfileAst;
  let config: CheckConfig;
  try {
    ast = parseAst(text, file).ast;
    config = parseCheckConfig(options.config ?? options.buildArgs?.['BUILDKIT_DOCKERFILE_CHECK'] ?? readDirective('check', text)?.value ?? '');
  } catch {
    return [];
  }
  const out = new Reporter(file, config);
  checkEmptyContinuations(ast, out);
  checkInstructionSyntax({ ...ast, children: ast.children.filter((n) => n.startLine <= err.line) }, out);
  return out.results;
}

/** The configuration: `options.config`, else the `BUILDKIT_DOCKERFILE_CHECK` build arg, else `# check=`. */
function checkConfig(df: ParsedDockerfile, options: CheckOptions): CheckConfig {
  const fromArgs = options.buildArgs?.['BUILDKIT_DOCKERFILE_CHECK'];
  const directive = readDirective('check', df.lines.join('\n'));
  const value = options.config ?? fromArgs ?? directive?.value ?? '';
  try {
    return parseCheckConfig(value);
  } catch (err) {
    if (!isOcibakeError(err) || directive === undefined || value !== directive.value) throw err;
    throw new SourceText(df.file, df.lines).error(err.code, err.message, { line: directive.line, instruction: 'parser directive', hint: err.hint });
  }
}

function targetIndex(df: ParsedDockerfile, target: string | undefined): number {
  const last = df.stages.length - 1;
  if (target === undefined) return last;
  const named = df.stages.findLast((s) => s.name === target.toLowerCase());
  return named?.index ?? last;
}
