import type { InstructionNode } from '../ast/node.js';
import { expandWord, type Expansion } from '../expand.js';
import type { Instruction, RunMount } from '../instructions.js';
import { cleanPath } from '../dockerignore/clean.js';
import { closest } from './closest.js';
import type { GlobalScope } from './global-scope.js';
import { MESSAGES } from './messages.js';
import type { Reporter, Where } from './result.js';
import type { StageState } from './stage-state.js';

/** `IgnoreMatcher` is what CopyIgnoredFile needs of a .dockerignore (a `Dockerignore` is one). */
export interface IgnoreMatcher {
  ignores(relPath: string): boolean;
  /** With `!` exceptions the check is skipped: an excluded directory may hold included files. */
  hasExceptions: boolean;
}

/** `DispatchContext` is what the instruction rules need besides the stage state. */
export interface DispatchContext {
  global: GlobalScope;
  buildArgs: ReadonlyMap<string, string>;
  escape: string;
  out: Reporter;
  ignore: IgnoreMatcher | undefined;
}

/** Args BuildKit keeps out of the environment and never reports as undefined. */
const NON_ENV_ARGS = new Set(['BUILDKIT_SBOM_SCAN_CONTEXT', 'BUILDKIT_SBOM_SCAN_STAGE']);
const SECRET = /(?:_|^)(?:apikey|auth|credential|credentials|key|password|pword|passwd|secret|token)(?:_|$)/i;
const NOT_SECRET = /(?:_|^)(?:public|file|version)(?:_|$)/i;
const SINGLE_USE = new Set(['CMD', 'ENTRYPOINT', 'HEALTHCHECK']);

/**
 * `dispatchInstruction` runs the rules BuildKit applies while it dispatches one instruction of a
 * stage, and updates the stage state as the instruction would: UndefinedVar for every word BuildKit
 * expands (not RUN, CMD or ENTRYPOINT text, which the shell expands), SecretsUsedInArgOrEnv,
 * LegacyKeyValueFormat, WorkdirRelativePath, JSONArgsRecommended, MultipleInstructionsDisallowed
 * and CopyIgnoredFile.
 */
export function dispatchInstruction(ins: Instruction, node: InstructionNode, st: StageState, ctx: DispatchContext): void {
  const where: Where = { startLine: ins.range.startLine, endLine: ins.range.endLine };
  const x = (word: string, raw = false): string => expand(word, raw, st, ctx, where);
  const name = node.keyword;
  if (SINGLE_USE.has(ins.kind)) {
    const prev = st.lastSingle.get(ins.kind);
    if (prev !== undefined) ctx.out.report('MultipleInstructionsDisallowed', prev, MESSAGES.MultipleInstructionsDisallowed(name));
    st.lastSingle.set(ins.kind, where);
  }
  switch (ins.kind) {
    case 'ARG':
      for (const a of ins.args) {
        secret('ARG', a.name, where, ctx);
        let value: string | undefined = ctx.buildArgs.get(a.name);
        if (value === undefined && a.value !== undefined) value = x(a.value);
        else if (value === undefined) value = ctx.global.values.get(a.name);
        if (value !== undefined && !NON_ENV_ARGS.has(a.name)) st.env.set(a.name, value);
        st.declared.add(a.name);
      }
      return;
    case 'ENV':
    case 'LABEL': {
      const pairs = ins.pairs.map((p) => ({ key: x(p.key), value: x(p.value) }));
      pairs.forEach((p, i) => {
        if (node.args[i * 3 + 2] === '') ctx.out.report('LegacyKeyValueFormat', where, MESSAGES.LegacyKeyValueFormat(name));
        if (ins.kind === 'ENV') {
          secret('ENV', p.key, where, ctx);
          st.env.set(p.key, p.value);
        }
      });
      return;
    }
    case 'COPY':
    case 'ADD': {
      for (const w of [ins.chown, ins.chmod, ins.kind === 'ADD' ? ins.checksum : undefined]) if (w !== undefined) x(w);
      const sources = ins.sources.map((s) => x(s));
      x(ins.dest);
      for (const e of ins.exclude) x(e);
      for (const h of ins.heredocs) if (!h.quoted) x(h.content, true);
      if (ins.kind === 'ADD' || ins.from === undefined) ignoredSources(ins.kind, sources, where, ctx);
      return;
    }
    case 'WORKDIR': {
      const path = x(ins.path);
      if (!st.workdirSet && !path.startsWith('/')) ctx.out.report('WorkdirRelativePath', where, MESSAGES.WorkdirRelativePath(path));
      st.workdirSet = true;
      return;
    }
    case 'USER':
      x(ins.user);
      return;
    case 'STOPSIGNAL':
      x(ins.signal);
      return;
    case 'VOLUME':
      for (const p of ins.paths) x(p);
      return;
    case 'EXPOSE':
      for (const p of ins.ports) x(p);
      return;
    case 'RUN':
      for (const m of ins.mounts) for (const v of mountWords(m)) x(v);
      return;
    case 'CMD':
    case 'ENTRYPOINT':
      if (ins.command.form === 'shell' && !st.shell) ctx.out.report('JSONArgsRecommended', where, MESSAGES.JSONArgsRecommended(name));
      return;
    case 'SHELL':
      st.shell = ins.argv.length > 0;
      return;
    default:
      return;
  }
}

/** Expands one word with the stage environment, reporting the variables that are not defined. */
function expand(word: string, raw: boolean, st: StageState, ctx: DispatchContext, where: Where): string {
  let r: Expansion;
  try {
    r = expandWord(word, (n) => st.env.get(n), raw ? { heredoc: true } : { escape: ctx.escape });
  } catch {
    // The build fails on this word with a located error; the checks go on with the rest.
    return word;
  }
  for (const v of r.unset) {
    if (st.declared.has(v) || NON_ENV_ARGS.has(v)) continue;
    ctx.out.report('UndefinedVar', where, MESSAGES.UndefinedVar(v, closest(v, st.env.keys())));
  }
  return r.value;
}

function secret(instruction: 'ARG' | 'ENV', key: string, where: Where, ctx: DispatchContext): void {
  if (SECRET.test(key) && !NOT_SECRET.test(key)) ctx.out.report('SecretsUsedInArgOrEnv', where, MESSAGES.SecretsUsedInArgOrEnv(instruction, key));
}

function mountWords(m: RunMount): string[] {
  const out: string[] = [];
  for (const v of Object.values(m)) if (typeof v === 'string' && v !== '') out.push(v);
  return out;
}

/**
 * CopyIgnoredFile: a context source (not a URL or git source of ADD) that the .dockerignore
 * excludes. Skipped when the ignore file has exceptions, as in BuildKit.
 */
function ignoredSources(kind: 'COPY' | 'ADD', sources: readonly string[], where: Where, ctx: DispatchContext): void {
  const ig = ctx.ignore;
  if (ig === undefined || ig.hasExceptions || !ctx.out.enabled('CopyIgnoredFile')) return;
  for (const src of sources) {
    if (kind === 'ADD' && (/^[a-z][a-z0-9+.-]*:\/\//i.test(src) || /^git@/.test(src))) continue;
    const path = cleanPath(src);
    if (ig.ignores(path.replace(/^\/+/, ''))) ctx.out.report('CopyIgnoredFile', where, MESSAGES.CopyIgnoredFile(kind === 'ADD' ? 'Add' : 'Copy', path));
  }
}
