import { ExpansionError } from './shell/errors.js';
import { processShellWord, type Lookup, type ShellOptions } from './shell/lex.js';

export { ExpansionError } from './shell/errors.js';
export type { Lookup } from './shell/lex.js';

/** `ExpandOptions` tune `expandWord` for the instruction at hand. */
export interface ExpandOptions {
  /** The escape character from `# escape=` (default `\`). */
  escape?: string;
  /**
   * Heredoc mode, for the body of an unquoted COPY/ADD heredoc: quotes are ordinary characters and
   * the escape character is always `\` (BuildKit's `ExpandRaw`); `$VAR` still expands.
   */
  heredoc?: boolean;
}

/** `Expansion` is an expanded word and the variable names it referenced. */
export interface Expansion {
  value: string;
  /** Every name looked up, set or not, in order of first use. */
  used: string[];
  /** The names looked up that were unset (what BuildKit's UndefinedVar check reports). */
  unset: string[];
}

/**
 * `expandWord` performs BuildKit's word processing on one word: quote removal (`'…'` literal,
 * `"…"` with expansion), the escape character, and variable substitution.
 *
 *     expandWord('${DIR:-/opt}/"my app"', (n) => undefined).value // '/opt/my app'
 */
export function expandWord(word: string, lookup: Lookup, opts: ExpandOptions = {}): Expansion {
  const shell: ShellOptions = opts.heredoc === true ? { escape: '\\', skipProcessQuotes: true } : { escape: opts.escape ?? '\\' };
  try {
    const r = processShellWord(word, lookup, shell, false);
    return { value: r.value, used: mergeNames(r.matched, r.unmatched), unset: r.unmatched };
  } catch (err) {
    if (err instanceof ExpansionError)
      throw new ExpansionError(err.code, `failed to process ${JSON.stringify(clip(word))}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
}

/**
 * `expandWords` is `expandWord` followed by BuildKit's word split (`ProcessWords`): unquoted
 * blanks, including those inside a variable's value, separate words.
 *
 *     expandWords('80 $PORTS', (n) => (n === 'PORTS' ? '443 8080' : undefined)).words // ['80', '443', '8080']
 */
export function expandWords(text: string, lookup: Lookup, escape = '\\'): Expansion & { words: string[] } {
  try {
    const r = processShellWord(text, lookup, { escape }, true);
    return { value: r.value, words: r.words, used: mergeNames(r.matched, r.unmatched), unset: r.unmatched };
  } catch (err) {
    if (err instanceof ExpansionError)
      throw new ExpansionError(err.code, `failed to process ${JSON.stringify(clip(text))}: ${err.message}`, { hint: err.hint, cause: err });
    throw err;
  }
}

/** `referencedNames` lists the variables a word refers to, without needing their values. */
export function referencedNames(word: string, escape = '\\'): string[] {
  try {
    return expandWord(word, () => undefined, { escape }).used;
  } catch {
    return [];
  }
}

function mergeNames(a: string[], b: string[]): string[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  return [...new Set([...a, ...b])];
}

function clip(word: string): string {
  return word.length > 200 ? `${word.slice(0, 200)}…` : word;
}
