/**
 * `suggest` returns the candidate closest to `word` by edit distance, or undefined when none is
 * close enough to be a plausible typo (BuildKit's `suggest.Search`): "did you mean FROM?".
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    // About one edit per three characters of the longer word: `FORM`→`FROM` and `mnt`→`mount`
    // are typos, `XYZ`→`ENV` is not.
    const n = Math.max(w.length, c.length);
    const allowed = Math.max(1, Math.floor(n / 3) + (n >= 4 ? 1 : 0));
    if (d <= allowed && d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** `didYouMean` formats a suggestion as a message suffix: ` (did you mean --from?)` or ''. */
export function didYouMean(word: string, candidates: readonly string[], prefix = ''): string {
  const s = suggest(word, candidates);
  return s === undefined ? '' : ` (did you mean ${prefix}${s}?)`;
}

/** Damerau-Levenshtein (optimal string alignment): a swapped pair counts as one edit. */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 8) return Math.abs(a.length - b.length);
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push(new Array<number>(b.length + 1).fill(0));
  for (let i = 0; i <= a.length; i++) rows[i]![0] = i;
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = v;
    }
  }
  return rows[a.length]![b.length]!;
}
