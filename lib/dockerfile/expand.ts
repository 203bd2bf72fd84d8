import { OcibakeError } from '../errors.js';

/** `Lookup` returns a variable's value, or undefined when it is unset (distinct from empty). */
export type Lookup = (name: string) => string | undefined;

/** `ExpandOptions` tune `expandWord` for the instruction at hand. */
export interface ExpandOptions {
  /** The escape character from `# escape=` (default `\`). */
  escape?: string;
  /**
   * Heredoc mode: only `$VAR`/`${VAR…}` expand and the escape character protects only `$`;
   * quotes are kept literally (BuildKit expands an unquoted COPY heredoc this way).
   */
  heredoc?: boolean;
}

/** `Expansion` is an expanded word and the variable names it referenced (set or not). */
export interface Expansion {
  value: string;
  used: string[];
}

/**
 * `ExpansionError` is a malformed substitution (`${A`, `${A!}`) or a `${A:?message}` whose
 * variable is unset. The planner re-throws it as a located `DockerfileError`.
 */
export class ExpansionError extends OcibakeError {
  constructor(message: string) {
    super('OCIBAKE_DOCKERFILE_SYNTAX', message, {
      hint: 'supported forms: $VAR ${VAR} ${VAR:-default} ${VAR-default} ${VAR:+alt} ${VAR+alt} ${VAR:?error} ${VAR#glob} ${VAR%glob} ${VAR/glob/repl}; write \\$ for a literal $',
    });
  }
}

/**
 * `expandWord` performs BuildKit's word processing on one word: quote removal (`'…'` literal,
 * `"…"` with expansion), the escape character, and variable substitution.
 *
 *     expandWord('${DIR:-/opt}/"my app"', (n) => undefined).value // '/opt/my app'
 */
export function expandWord(word: string, lookup: Lookup, opts: ExpandOptions = {}): Expansion {
  const w = new WordProcessor(word, lookup, opts.escape ?? '\\', opts.heredoc === true);
  const value = w.run(undefined);
  return { value, used: [...w.used] };
}

/** `referencedNames` lists the variables a word refers to, without needing their values. */
export function referencedNames(word: string, escape = '\\'): string[] {
  try {
    return expandWord(word, () => undefined, { escape }).used;
  } catch {
    return [];
  }
}

const NAME_CHAR = /[A-Za-z0-9_]/;
const MAX_DEPTH = 64;

class WordProcessor {
  #i = 0;
  #depth = 0;
  readonly used = new Set<string>();
  readonly #s: string;
  readonly #lookup: Lookup;
  readonly #esc: string;
  readonly #heredoc: boolean;

  constructor(s: string, lookup: Lookup, esc: string, heredoc: boolean) {
    this.#s = s;
    this.#lookup = lookup;
    this.#esc = esc;
    this.#heredoc = heredoc;
  }

  /** Processes until the end or an unquoted `stop` character (left unconsumed). */
  run(stop: string | undefined): string {
    const s = this.#s;
    let out = '';
    while (this.#i < s.length) {
      const ch = s[this.#i]!;
      if (stop !== undefined && ch === stop) return out;
      if (ch === this.#esc) {
        const next = s[this.#i + 1];
        if (next === undefined) {
          out += ch;
          this.#i++;
        } else if (this.#heredoc && next !== '$') {
          out += ch;
          this.#i++;
        } else {
          out += next;
          this.#i += 2;
        }
      } else if (ch === "'" && !this.#heredoc) out += this.#single();
      else if (ch === '"' && !this.#heredoc) out += this.#double();
      else if (ch === '$') out += this.#dollar();
      else {
        out += ch;
        this.#i++;
      }
    }
    if (stop !== undefined) throw new ExpansionError(`missing '${stop}' in ${JSON.stringify(s)}`);
    return out;
  }

  #single(): string {
    const s = this.#s;
    const end = s.indexOf("'", this.#i + 1);
    if (end < 0) throw new ExpansionError(`unexpected end of statement while looking for matching single-quote in ${JSON.stringify(s)}`);
    const out = s.slice(this.#i + 1, end);
    this.#i = end + 1;
    return out;
  }

  #double(): string {
    const s = this.#s;
    this.#i++;
    let out = '';
    while (this.#i < s.length) {
      const ch = s[this.#i]!;
      if (ch === '"') {
        this.#i++;
        return out;
      }
      if (ch === '$') out += this.#dollar();
      else if (ch === this.#esc && this.#i + 1 < s.length) {
        const next = s[this.#i + 1]!;
        // POSIX: inside double quotes the escape only protects `"`, `$` and itself.
        out += next === '"' || next === '$' || next === this.#esc ? next : ch + next;
        this.#i += 2;
      } else {
        out += ch;
        this.#i++;
      }
    }
    throw new ExpansionError(`unexpected end of statement while looking for matching double-quote in ${JSON.stringify(s)}`);
  }

  #name(): string {
    const s = this.#s;
    const start = this.#i;
    while (this.#i < s.length && NAME_CHAR.test(s[this.#i]!)) this.#i++;
    return s.slice(start, this.#i);
  }

  #get(name: string): string | undefined {
    this.used.add(name);
    return this.#lookup(name);
  }

  #dollar(): string {
    const s = this.#s;
    const next = s[this.#i + 1];
    if (next === '{') {
      this.#i += 2;
      return this.#braced();
    }
    if (next !== undefined && NAME_CHAR.test(next)) {
      this.#i++;
      return this.#get(this.#name()) ?? '';
    }
    this.#i++;
    return '$';
  }

  #braced(): string {
    const s = this.#s;
    // `${a:-${b:-${c…}}}` recurses once per level; a hostile file must not overflow the stack.
    if (++this.#depth > MAX_DEPTH) throw new ExpansionError(`substitutions nested more than ${MAX_DEPTH} deep in a word`);
    try {
      return this.#bracedBody(s);
    } finally {
      this.#depth--;
    }
  }

  #bracedBody(s: string): string {
    const name = this.#name();
    if (name === '') throw new ExpansionError(`bad substitution in ${JSON.stringify(s)}: expected a variable name after \${`);
    const value = this.#get(name);
    const op = s[this.#i];
    if (op === '}') {
      this.#i++;
      return value ?? '';
    }
    if (op === undefined) throw new ExpansionError(`missing '}' in ${JSON.stringify(s)}`);
    let colon = false;
    let mod = op;
    if (op === ':') {
      colon = true;
      mod = s[this.#i + 1] ?? '';
      if (!'-+?'.includes(mod) || mod === '') throw new ExpansionError(`unsupported modifier (:${mod}) in substitution ${JSON.stringify(s)}`);
      this.#i += 2;
    } else if ('-+?'.includes(op)) this.#i++;
    else if (op === '#' || op === '%') return this.#trim(op, value ?? '');
    else if (op === '/') return this.#replace(value ?? '');
    else throw new ExpansionError(`unsupported modifier (${op}) in substitution ${JSON.stringify(s)}`);
    const word = this.run('}');
    this.#i++;
    const set = value !== undefined && (!colon || value !== '');
    if (mod === '-') return set ? value! : word;
    if (mod === '+') return set ? word : '';
    if (!set) throw new ExpansionError(`${name}: ${word === '' ? (colon ? 'is not allowed to be unset or empty' : 'is not allowed to be unset') : word}`);
    return value!;
  }

  #trim(op: '#' | '%', value: string): string {
    this.#i++;
    const longest = this.#s[this.#i] === op;
    if (longest) this.#i++;
    const pattern = this.run('}');
    this.#i++;
    const re = globRegex(pattern);
    const lengths = [...Array(value.length + 1).keys()];
    if (longest) lengths.reverse();
    for (const n of lengths) {
      const part = op === '#' ? value.slice(0, n) : value.slice(value.length - n);
      if (re.test(part)) return op === '#' ? value.slice(n) : value.slice(0, value.length - n);
    }
    return value;
  }

  #replace(value: string): string {
    this.#i++;
    const all = this.#s[this.#i] === '/';
    if (all) this.#i++;
    const pattern = this.run('/');
    this.#i++;
    const repl = this.run('}');
    this.#i++;
    if (pattern === '') return value;
    const re = new RegExp(globRegex(pattern).source.slice(1, -1), all ? 'gs' : 's');
    return value.replace(re, () => repl);
  }
}

function globRegex(pattern: string): RegExp {
  let re = '';
  for (const ch of pattern) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 's');
}
