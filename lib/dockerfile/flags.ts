import { didYouMean } from './suggest.js';

/** `FlagKind`: `string` needs `=value`; `bool` may have `=true|false`; `multi` may repeat. */
export type FlagKind = 'string' | 'bool' | 'multi';

/** The flags each instruction accepts (BuildKit's BFlags declarations). */
export const FLAG_SPECS: Readonly<Record<string, Readonly<Record<string, FlagKind>>>> = {
  FROM: { platform: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'multi' },
  ADD: { chown: 'string', chmod: 'string', link: 'bool', exclude: 'multi', checksum: 'string', 'keep-git-dir': 'bool' },
  RUN: { mount: 'multi', network: 'string', security: 'string' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};

/** `ParsedFlags` are the flags in front of an instruction's arguments and what follows them. */
export interface ParsedFlags {
  strings: Map<string, string>;
  bools: Map<string, boolean>;
  multi: Map<string, string[]>;
  /** The arguments after the last flag. */
  rest: string;
}

/** `FlagError` is a bad flag; the parser turns it into a located DockerfileError. */
export class FlagError extends Error {
  readonly hint: string | undefined;
  constructor(message: string, hint?: string) {
    super(message);
    this.hint = hint;
  }
}

/**
 * `parseFlags` reads `--name[=value]` words from the start of `args` (quotes in values removed,
 * `--` ends the flags) and checks them against the instruction's declared flags: unknown flags get
 * a "did you mean", repeated single flags and missing values are errors.
 *
 *     parseFlags('COPY', '--from=build --link /out /app').rest // '/out /app'
 */
export function parseFlags(instruction: string, args: string): ParsedFlags {
  const spec = FLAG_SPECS[instruction] ?? {};
  const out: ParsedFlags = { strings: new Map(), bools: new Map(), multi: new Map(), rest: '' };
  let i = 0;
  for (;;) {
    while (i < args.length && (args[i] === ' ' || args[i] === '\t')) i++;
    if (!args.startsWith('--', i)) break;
    let word = '';
    let quote: string | undefined;
    for (; i < args.length; i++) {
      const ch = args[i]!;
      if (quote) {
        if (ch === quote) quote = undefined;
        else word += ch;
      } else if (ch === '"' || ch === "'") quote = ch;
      else if (ch === ' ' || ch === '\t') break;
      else word += ch;
    }
    if (quote) throw new FlagError(`unterminated quote in flag ${word}`);
    if (word === '--') break;
    const eq = word.indexOf('=');
    const name = (eq < 0 ? word.slice(2) : word.slice(2, eq)).toLowerCase();
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec);
      throw new FlagError(
        `unknown flag: --${name}${didYouMean(name, known, '--')}`,
        known.length === 0 ? `${instruction} takes no flags` : `${instruction} accepts ${known.map((k) => `--${k}`).join(', ')}`,
      );
    }
    if (kind === 'bool') {
      if (out.bools.has(name)) throw new FlagError(`duplicate flag specified: --${name}`);
      if (value === undefined || value.toLowerCase() === 'true') out.bools.set(name, true);
      else if (value.toLowerCase() === 'false') out.bools.set(name, false);
      else throw new FlagError(`expecting boolean value for flag --${name}, not ${JSON.stringify(value)}`);
      continue;
    }
    if (value === undefined) throw new FlagError(`missing a value on flag: --${name}`, `write --${name}=<value>`);
    if (kind === 'multi') {
      const list = out.multi.get(name) ?? [];
      list.push(value);
      out.multi.set(name, list);
    } else {
      if (out.strings.has(name)) throw new FlagError(`duplicate flag specified: --${name}`);
      out.strings.set(name, value);
    }
  }
  out.rest = args.slice(i).trim();
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

/** `parseDuration` parses a Go duration (`30s`, `1m30s`, `500ms`) into nanoseconds. */
export function parseDuration(text: string): number | undefined {
  if (text === '0') return 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let pos = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    pos = re.lastIndex;
  }
  return pos === text.length && pos > 0 ? Math.round(total) : undefined;
}
