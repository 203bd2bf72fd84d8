import { syntaxError } from './errors.js';
import { processDollar } from './substitute.js';
import { WordCollector, isShellSpace } from './words.js';

/** `Lookup` returns a variable's value, or undefined when it is unset (distinct from empty). */
export type Lookup = (name: string) => string | undefined;

/** `ShellOptions` are the switches of BuildKit's shell lexer (`shell.Lex`). */
export interface ShellOptions {
  /** The escape character: `\` or the `# escape=` directive's value. */
  escape?: string;
  /** Keep quote characters in the output (heredoc detection counts them). */
  rawQuotes?: boolean;
  /** Keep escape characters in the output. */
  rawEscapes?: boolean;
  /** Treat quotes as ordinary characters (the body of an unquoted heredoc). */
  skipProcessQuotes?: boolean;
  /** Leave references to unset variables as written (`$X`, `${X:-y}`). */
  skipUnsetEnv?: boolean;
}

/** `ShellResult` is a processed word, its split into words, and which variables it read. */
export interface ShellResult {
  value: string;
  words: string[];
  /** Names that were looked up and set, in order of first use. */
  matched: string[];
  /** Names that were looked up and unset, in order of first use. */
  unmatched: string[];
}

/** A shell-nested `${…}` deeper than this is an error rather than a stack overflow. */
const MAX_DEPTH = 64;

/**
 * `ShellLexer` is the state of one word being processed: the input, the position (in UTF-16 units,
 * always on a code point boundary) and the variables seen. The substitution code in
 * `substitute.ts` drives it through `peek`, `next` and `stopOn`.
 */
export class ShellLexer {
  readonly s: string;
  i = 0;
  readonly escape: string;
  readonly opts: ShellOptions;
  readonly #lookup: Lookup;
  readonly #matched = new Set<string>();
  readonly #unmatched = new Set<string>();
  #rawEscapes: boolean;
  #depth = 0;

  constructor(s: string, lookup: Lookup, opts: ShellOptions) {
    this.s = s;
    this.#lookup = lookup;
    this.opts = opts;
    this.escape = opts.escape ?? '\\';
    this.#rawEscapes = opts.rawEscapes === true;
  }

  /** The character at the cursor (one code point), or undefined at the end. */
  peek(): string | undefined {
    const c = this.s.charCodeAt(this.i);
    if (Number.isNaN(c)) return undefined;
    if (c >= 0xd800 && c <= 0xdbff && this.i + 1 < this.s.length) return this.s.slice(this.i, this.i + 2);
    return this.s[this.i];
  }

  /** Consumes and returns the character at the cursor. */
  next(): string | undefined {
    const ch = this.peek();
    if (ch !== undefined) this.i += ch.length;
    return ch;
  }

  /** `get` looks a variable up and records whether it was set. */
  get(name: string): string | undefined {
    const v = this.#lookup(name);
    if (v === undefined) this.#unmatched.add(name);
    else this.#matched.add(name);
    return v;
  }

  /** `nest` runs `fn` one `${…}` level deeper, refusing pathological nesting. */
  nest<T>(fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) throw syntaxError(`substitutions nested more than ${MAX_DEPTH} deep in a word`);
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  /** Processes the whole input. */
  run(collectWords: boolean): ShellResult {
    const words = collectWords ? new WordCollector() : undefined;
    const value = this.#process(undefined, this.#rawEscapes, words);
    return { value, words: words?.finish() ?? [], matched: [...this.#matched], unmatched: [...this.#unmatched] };
  }

  /**
   * `stopOn` processes up to the unquoted character `stop`, consuming it; reaching the end first is
   * an error. Used inside `${…}`, where `rawEscapes` keeps escapes for the pattern operators.
   */
  stopOn(stop: string, rawEscapes: boolean): string {
    return this.#process(stop, rawEscapes, undefined);
  }

  #process(stop: string | undefined, rawEscapes: boolean, words: WordCollector | undefined): string {
    const saved = this.#rawEscapes;
    this.#rawEscapes = rawEscapes;
    try {
      return this.#loop(stop, words);
    } finally {
      this.#rawEscapes = saved;
    }
  }

  #loop(stop: string | undefined, words: WordCollector | undefined): string {
    const quotes = this.opts.skipProcessQuotes !== true;
    let out = '';
    for (let ch = this.peek(); ch !== undefined; ch = this.peek()) {
      if (ch === stop) {
        this.i += ch.length;
        return out;
      }
      if (ch === '$') {
        const v = processDollar(this);
        out += v;
        words?.addExpanded(v);
      } else if (quotes && (ch === "'" || ch === '"')) {
        const v = ch === "'" ? this.#singleQuoted() : this.#doubleQuoted();
        out += v;
        words?.addRaw(v);
      } else if (ch === '<') {
        const v = this.#possibleHeredoc();
        out += v;
        words?.addRaw(v);
      } else {
        this.i += ch.length;
        if (ch === this.escape) {
          if (this.#rawEscapes) {
            out += ch;
            words?.addRaw(ch);
          }
          // A trailing escape is dropped: `hello\` is `hello`.
          const escaped = this.next();
          if (escaped === undefined) break;
          out += escaped;
          words?.addRaw(escaped);
        } else {
          out += ch;
          words?.addChar(ch);
        }
      }
    }
    if (stop !== undefined) throw syntaxError(`unexpected end of statement while looking for matching ${stop}`);
    return out;
  }

  /** `'…'`: everything literal up to the next `'`; nothing can be escaped. */
  #singleQuoted(): string {
    const start = this.i + 1;
    const end = this.s.indexOf("'", start);
    if (end < 0) throw syntaxError('unexpected end of statement while looking for matching single-quote');
    this.i = end + 1;
    const body = this.s.slice(start, end);
    return this.opts.rawQuotes === true ? `'${body}'` : body;
  }

  /** `"…"`: variables expand; the escape character protects only `"`, `$` and itself. */
  #doubleQuoted(): string {
    this.i++;
    const raw = this.opts.rawQuotes === true;
    let out = raw ? '"' : '';
    for (;;) {
      const ch = this.peek();
      if (ch === undefined) throw syntaxError('unexpected end of statement while looking for matching double-quote');
      if (ch === '"') {
        this.i++;
        return raw ? `${out}"` : out;
      }
      if (ch === '$') {
        out += processDollar(this);
        continue;
      }
      this.i += ch.length;
      let put = ch;
      if (ch === this.escape) {
        if (this.#rawEscapes) out += ch;
        const nextCh = this.peek();
        if (nextCh === undefined) continue;
        if (nextCh === '"' || nextCh === '$' || nextCh === this.escape) put = this.next()!;
      }
      out += put;
    }
  }

  /**
   * `<<` plus any blanks after it (and a `-` before them) belong to the word that follows, so
   * `cat << EOF` yields the heredoc word `<< EOF`, as BuildKit's lexer does.
   */
  #possibleHeredoc(): string {
    this.i++;
    if (this.peek() !== '<') return '<';
    this.i++;
    let out = '<<';
    if (this.peek() === '-') {
      this.i++;
      out += '-';
    }
    for (let ch = this.peek(); ch !== undefined && isShellSpace(ch); ch = this.peek()) {
      this.i += ch.length;
      out += ch;
    }
    return out;
  }
}

/**
 * `processShellWord` runs BuildKit's shell-word processing on `word`: quote removal, the escape
 * character and `$VAR`/`${VAR…}` substitution, plus the split into words.
 *
 *     processShellWord('a "b c" $X', (n) => (n === 'X' ? 'd e' : undefined)).words // ['a', 'b c', 'd', 'e']
 */
export function processShellWord(word: string, lookup: Lookup, opts: ShellOptions = {}, collectWords = true): ShellResult {
  return new ShellLexer(word, lookup, opts).run(collectWords);
}
