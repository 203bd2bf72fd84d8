/** `CharClass` is a bracket expression: code point ranges, possibly negated (`[^a-z]`). */
export interface CharClass {
  negated: boolean;
  ranges: [number, number][];
}

/** Go's `filepath.ErrBadPattern` text. */
const BAD = 'syntax error in pattern';

class SyntaxProblem extends Error {}

/**
 * `readClass` reads the bracket expression starting at `chars[start] === '['` with the rules of Go's
 * `filepath.Match`: `^` negates; a range bound may not be `-` or `]` unless escaped with `\`; `]`
 * closes only after at least one range. Returns the class and the index of its `]`.
 */
export function readClass(chars: readonly string[], start: number): { cls: CharClass; end: number } {
  let j = start + 1;
  const cls: CharClass = { negated: false, ranges: [] };
  if (chars[j] === '^') {
    cls.negated = true;
    j++;
  }
  const bound = (): number => {
    let c = chars[j];
    if (c === undefined || c === '-' || c === ']') throw new SyntaxProblem(BAD);
    if (c === '\\') {
      c = chars[++j];
      if (c === undefined) throw new SyntaxProblem(BAD);
    }
    j++;
    if (j >= chars.length) throw new SyntaxProblem(BAD);
    return c.codePointAt(0)!;
  };
  for (;;) {
    if (chars[j] === ']' && cls.ranges.length > 0) return { cls, end: j };
    const lo = bound();
    let hi = lo;
    if (chars[j] === '-') {
      j++;
      hi = bound();
    }
    cls.ranges.push([lo, hi]);
  }
}

/**
 * `checkMatchSyntax` returns Go's error for a pattern `filepath.Match` rejects (a malformed bracket
 * expression, a trailing `\`), or undefined when the pattern is well formed. moby's patternmatcher
 * checks every .dockerignore line this way.
 */
export function checkMatchSyntax(pattern: string): string | undefined {
  const chars = Array.from(pattern);
  try {
    for (let i = 0; i < chars.length; i++) {
      const ch = chars[i];
      if (ch === '\\') {
        if (i + 1 >= chars.length) return BAD;
        i++;
      } else if (ch === '[') {
        i = readClass(chars, i).end;
      }
    }
  } catch (err) {
    if (err instanceof SyntaxProblem) return err.message;
    throw err;
  }
  return undefined;
}
