import { syntax } from './build/instruction-error.js';
import { didYouMean } from './suggest.js';

/** `FlagKind`: `string` needs `=value`; `bool` may have `=true|false`; `multi` needs a value and may repeat. */
export type FlagKind = 'string' | 'bool' | 'multi';

/** `FlagSpec` declares the flags one instruction accepts (BuildKit's `BFlags.Add…` calls). */
export type FlagSpec = Readonly<Record<string, FlagKind>>;

/** The flags each instruction accepts; instructions not listed take none. */
export const FLAG_SPECS: Readonly<Record<string, FlagSpec>> = {
  FROM: { platform: 'string' },
  COPY: { from: 'string', chown: 'string', chmod: 'string', link: 'bool', parents: 'bool', exclude: 'multi' },
  ADD: { chown: 'string', chmod: 'string', link: 'bool', exclude: 'multi', checksum: 'string', 'keep-git-dir': 'bool' },
  RUN: { mount: 'multi', network: 'string', security: 'string' },
  HEALTHCHECK: { interval: 'string', timeout: 'string', 'start-period': 'string', 'start-interval': 'string', retries: 'string' },
};

/** `ParsedFlags` are the values of the flags that were given. */
export interface ParsedFlags {
  readonly strings: ReadonlyMap<string, string>;
  readonly bools: ReadonlyMap<string, boolean>;
  readonly multi: ReadonlyMap<string, readonly string[]>;
}

const NO_FLAGS: ParsedFlags = { strings: new Map(), bools: new Map(), multi: new Map() };

/**
 * `parseFlags` checks an instruction's raw `--name[=value]` words against its declared flags, as
 * BuildKit's `BFlags.Parse` does: names are case-sensitive, an unknown flag gets a "did you mean",
 * a repeated single flag and a missing value are errors, a bool takes no value or `true`/`false`.
 * A bare `--` stops the parse.
 *
 *     parseFlags(['--from=build', '--link'], FLAG_SPECS.COPY!).strings.get('from') // 'build'
 */
export function parseFlags(raw: readonly string[], spec: FlagSpec, instruction = ''): ParsedFlags {
  // Most instructions have no flags: share one empty result instead of making three maps each.
  if (raw.length === 0) return NO_FLAGS;
  const strings = new Map<string, string>();
  const bools = new Map<string, boolean>();
  const multi = new Map<string, string[]>();
  for (const word of raw) {
    if (!word.startsWith('--')) throw syntax(`Arg should start with -- : ${word}`);
    if (word === '--') break;
    const eq = word.indexOf('=');
    const name = eq < 0 ? word.slice(2) : word.slice(2, eq);
    const value = eq < 0 ? undefined : word.slice(eq + 1);
    const kind = spec[name];
    if (kind === undefined) {
      const known = Object.keys(spec);
      throw syntax(
        `unknown flag: --${name}${didYouMean(name, known, '--')}`,
        known.length === 0 ? `${instruction || 'this instruction'} takes no flags` : `${instruction} accepts ${known.map((k) => `--${k}`).join(', ')}`,
      );
    }
    if (kind !== 'multi' && (strings.has(name) || bools.has(name))) throw syntax(`duplicate flag specified: --${name}`);
    if (kind === 'bool') {
      if (value === '') throw syntax(`missing a value on flag: --${name}`);
      const lower = value?.toLowerCase();
      if (lower === undefined || lower === 'true') bools.set(name, true);
      else if (lower === 'false') bools.set(name, false);
      else throw syntax(`expecting boolean value for flag --${name}, not: ${value ?? ''}`);
      continue;
    }
    if (value === undefined) throw syntax(`missing a value on flag: --${name}`, `write --${name}=<value>`);
    if (kind === 'string') strings.set(name, value);
    else {
      const list = multi.get(name);
      if (list === undefined) multi.set(name, [value]);
      else list.push(value);
    }
  }
  // Unused kinds share the empty maps: COPY --link needs one map, not three.
  return {
    strings: strings.size > 0 ? strings : NO_FLAGS.strings,
    bools: bools.size > 0 ? bools : NO_FLAGS.bools,
    multi: multi.size > 0 ? multi : NO_FLAGS.multi,
  };
}

const UNIT_NS: Readonly<Record<string, number>> = { ns: 1, us: 1e3, µs: 1e3, μs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
const COMPONENT = /([0-9]*)(?:\.([0-9]*))?([^0-9.]*)/y;

/**
 * `parseDuration` parses a Go duration (`30s`, `1m30s`, `.5s`, `-2h`) into nanoseconds, or
 * returns undefined where Go's `time.ParseDuration` fails (a missing or unknown unit).
 */
export function parseDuration(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  COMPONENT.lastIndex = 0;
  while (COMPONENT.lastIndex < s.length) {
    const m = COMPONENT.exec(s);
    if (m === null || m[0] === '') return undefined;
    const [, whole = '', frac, unit = ''] = m;
    if (whole === '' && (frac === undefined || frac === '')) return undefined;
    const ns = UNIT_NS[unit];
    if (ns === undefined) return undefined;
    total += Number(`${whole === '' ? '0' : whole}.${frac ?? '0'}`) * ns;
  }
  return sign * Math.round(total);
}
