import { OcibakeError } from '../../errors.js';
import { isShellSpace } from '../shell/words.js';

/** `LineParseError` is an argument list an instruction's line parser rejects; the parser locates it. */
export class LineParseError extends OcibakeError {
  constructor(message: string) {
    super('OCIBAKE_DOCKERFILE_SYNTAX', message);
  }
}

/** `ParsedArgs` is what a line parser makes of an instruction's arguments. */
export interface ParsedArgs {
  args: string[];
  json: boolean;
}

const NOT_STRINGS = 'when using JSON array syntax, arrays must be comprised of strings only';
const BLANKS = /[\t\v\f\r ]+/;

/** BuildKit's line parser for each keyword (lower case); unknown keywords keep no arguments. */
export const LINE_PARSERS: Readonly<Record<string, (rest: string, escape: string) => ParsedArgs>> = {
  add: maybeJsonToList,
  arg: (rest, esc) => ({ args: parseWords(rest, esc), json: false }),
  cmd: maybeJson,
  copy: maybeJsonToList,
  entrypoint: maybeJson,
  env: (rest, esc) => nameValue(rest, 'ENV', esc),
  expose: whitespaceDelimited,
  from: whitespaceDelimited,
  healthcheck: healthConfig,
  label: (rest, esc) => nameValue(rest, 'LABEL', esc),
  maintainer: single,
  run: maybeJson,
  shell: maybeJson,
  stopsignal: single,
  user: single,
  volume: maybeJsonToList,
  workdir: single,
};

/** What BuildKit keeps of an unknown instruction's arguments: one empty word. */
export function ignored(): ParsedArgs {
  return { args: [''], json: false };
}

function whitespaceDelimited(rest: string): ParsedArgs {
  return { args: rest === '' ? [] : rest.split(BLANKS), json: false };
}

function single(rest: string): ParsedArgs {
  return { args: rest === '' ? [] : [rest], json: false };
}

/**
 * `jsonStrings` reads a JSON array of strings (exec form). Undefined means "not JSON": the
 * instruction then takes its shell or word form. An array holding anything but strings is an error.
 */
export function jsonStrings(rest: string): string[] | undefined {
  const t = rest.replace(/^\s+/u, '');
  if (!t.startsWith('[')) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(t);
  } catch {
    return undefined;
  }
  if (!Array.isArray(v)) return undefined;
  if (!v.every((s) => typeof s === 'string')) throw new LineParseError(NOT_STRINGS);
  return v;
}

function maybeJson(rest: string): ParsedArgs {
  if (rest === '') return { args: [], json: false };
  const argv = jsonStrings(rest);
  return argv === undefined ? { args: [rest], json: false } : { args: argv, json: true };
}

function maybeJsonToList(rest: string): ParsedArgs {
  const argv = jsonStrings(rest);
  return argv === undefined ? whitespaceDelimited(rest) : { args: argv, json: true };
}

function healthConfig(rest: string): ParsedArgs {
  let sep = 0;
  while (sep < rest.length && !isShellSpace(rest[sep]!)) sep++;
  if (sep === 0) return { args: [], json: false };
  let next = sep;
  while (next < rest.length && isShellSpace(rest[next]!)) next++;
  const cmd = maybeJson(rest.slice(next));
  return { args: [rest.slice(0, sep), ...cmd.args], json: cmd.json };
}

/**
 * `nameValue` parses ENV/LABEL arguments (BuildKit's `parseNameVal`) into triples
 * `key, value, separator`: `k=v k2="v 2"` pairs (separator `=`), or the legacy `KEY value with
 * spaces` form (separator empty) when the first word has no `=`. Quotes stay in the value.
 */
function nameValue(rest: string, instruction: string, esc: string): ParsedArgs {
  const words = parseWords(rest, esc);
  if (words.length === 0) return { args: [], json: false };
  if (!words[0]!.includes('=')) {
    const m = BLANKS.exec(rest);
    if (m === null) throw new LineParseError(`${instruction} must have two arguments`);
    return { args: [rest.slice(0, m.index), rest.slice(m.index + m[0].length), ''], json: false };
  }
  const args: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) throw new LineParseError(`Syntax error - can't find = in ${JSON.stringify(w)}. Must be of the form: name=value`);
    args.push(w.slice(0, eq), w.slice(eq + 1), '=');
  }
  return { args, json: false };
}

/**
 * `parseWords` splits on unquoted blanks keeping quotes and escapes in each word (BuildKit's
 * `parseWords`, used by ENV, LABEL and ARG); quotes are removed later, when the word is expanded.
 * An escape character at the very end is dropped.
 */
export function parseWords(rest: string, esc: string): string[] {
  const words: string[] = [];
  const n = rest.length;
  let word = '';
  let inWord = false;
  let quote = '';
  let blankOK = false;
  for (let pos = 0; pos < n; pos++) {
    let ch = rest[pos]!;
    if (!inWord) {
      if (isShellSpace(ch)) continue;
      inWord = true;
    }
    if (quote === '') {
      if (isShellSpace(ch)) {
        if (blankOK || word !== '') words.push(word);
        word = '';
        blankOK = false;
        inWord = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOK = true;
      } else if (ch === esc) {
        if (pos + 1 === n) continue;
        word += ch;
        ch = rest[++pos]!;
      }
      word += ch;
      continue;
    }
    if (ch === quote) quote = '';
    else if (ch === esc && quote !== "'") {
      if (pos + 1 === n) {
        quote = '';
        continue;
      }
      word += ch;
      ch = rest[++pos]!;
    }
    word += ch;
  }
  if (inWord && (blankOK || word !== '')) words.push(word);
  return words;
}
