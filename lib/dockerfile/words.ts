import type { ErrorCode } from '../errors.js';
import { rawWords } from './lexer.js';

/**
 * `ParseProblem` is a syntax problem found while building one instruction; the parser locates it
 * (file, line, column, instruction) and throws a `DockerfileError`.
 */
export class ParseProblem extends Error {
  readonly hint: string | undefined;
  readonly code: ErrorCode;
  constructor(message: string, hint?: string, code: ErrorCode = 'OCIBAKE_DOCKERFILE_SYNTAX') {
    super(message);
    this.hint = hint;
    this.code = code;
  }
}

/** `jsonArray` returns the strings of an exec-form (JSON array) argument, or undefined for shell form. */
export function jsonArray(args: string): string[] | undefined {
  const t = args.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  return Array.isArray(v) && v.every((s) => typeof s === 'string') ? (v as string[]) : undefined;
}

/**
 * `looksLikeBrokenJson` catches `["sh", 'x']` and `["a", "b"` : shell form in BuildKit, but never a
 * valid shell command either, because a command name cannot start with `["`. `[ "$x" = y ]` (the
 * test command) is not flagged.
 */
export function looksLikeBrokenJson(args: string): boolean {
  return /^\["/.test(args.trim()) && jsonArray(args) === undefined;
}

/** `listArgs` reads an argument list in JSON form or as blank-separated words (quotes kept). */
export function listArgs(args: string, esc: string): string[] {
  return jsonArray(args) ?? rawWords(args, esc);
}

/**
 * `nameValues` parses ENV/LABEL arguments as BuildKit's `parseNameVal`: `k=v k2="v 2"` pairs, or
 * the legacy `KEY value with spaces` form when the first word has no `=`. Values keep their quotes
 * and `$` references; the planner expands them.
 */
export function nameValues(instruction: string, args: string, esc: string): { key: string; value: string }[] {
  const words = rawWords(args, esc);
  if (words.length === 0) throw new ParseProblem(`${instruction} requires at least one argument`);
  if (!words[0]!.includes('=')) {
    const key = words[0]!;
    const value = args.trim().slice(key.length).trim();
    if (words.length < 2) {
      throw new ParseProblem(`${instruction} ${key} needs a value`, `write ${instruction} ${key}=<value>`);
    }
    return [{ key, value }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    if (eq < 0) {
      throw new ParseProblem(`can't find = in ${JSON.stringify(w)}; ${instruction} arguments must be of the form name=value`);
    }
    if (eq === 0) throw new ParseProblem(`${instruction} names can not be blank`);
    return { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}
