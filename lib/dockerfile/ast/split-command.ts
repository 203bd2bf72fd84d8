import { isShellSpace } from '../shell/words.js';

/** `SplitCommand` is a logical line cut into keyword, raw flags and the rest. */
export interface SplitCommand {
  keyword: string;
  flags: readonly string[];
  rest: string;
}

const isTokenBlank = (c: number): boolean => c === 32 || (c >= 9 && c <= 13 && c !== 10);

/**
 * `splitCommand` separates the keyword, the leading `--flag[=value]` words (quotes and `\`
 * removed, `--` ends them) and the arguments, as BuildKit's `splitCommand` does.
 *
 *     splitCommand('COPY --from=build /out /app') // { keyword: 'COPY', flags: ['--from=build'], rest: '/out /app' }
 */
export function splitCommand(line: string): SplitCommand {
  const trimmed = line.trim();
  let k = 0;
  while (k < trimmed.length && !isTokenBlank(trimmed.charCodeAt(k))) k++;
  if (k === trimmed.length) return { keyword: trimmed, flags: NO_FLAGS, rest: '' };
  let r = k;
  while (r < trimmed.length && isTokenBlank(trimmed.charCodeAt(r))) r++;
  const keyword = trimmed.slice(0, k);
  const after = trimmed.slice(r).trim();
  // Most lines have no flags: skip the flag reader when the arguments do not start with --.
  if (!after.startsWith('--')) return { keyword, flags: NO_FLAGS, rest: after };
  const { rest, flags } = extractFlags(after);
  return { keyword, flags, rest: rest.trim() };
}

const NO_FLAGS: readonly string[] = [];

/** Reads `--…` words from the start of `line`; quoting works as in a shell word, with `\` as escape. */
function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isShellSpace(line[pos]!)) pos++;
    if (pos >= n) return { rest: '', flags };
    if (line[pos] !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
    const start = pos;
    while (pos < n && !isShellSpace(line[pos]!) && line[pos] !== '"' && line[pos] !== "'" && line[pos] !== '\\') pos++;
    if (pos >= n || isShellSpace(line[pos]!)) {
      const plain = line.slice(start, pos);
      if (plain === '--') return { rest: pos >= n ? '' : line.slice(pos), flags };
      flags.push(plain);
      continue;
    }
    pos = start;
    let word = '';
    let quoted = false;
    let quote = '';
    for (; pos < n; pos++) {
      const ch = line[pos]!;
      if (quote !== '') {
        if (ch === quote) quote = '';
        else if (ch === '\\' && pos + 1 < n) word += line[++pos];
        else if (ch !== '\\') word += ch;
        continue;
      }
      if (isShellSpace(ch)) break;
      if (ch === "'" || ch === '"') {
        quote = ch;
        quoted = true;
      } else if (ch === '\\') {
        if (pos + 1 < n) word += line[++pos];
      } else word += ch;
    }
    if (word === '--') return { rest: pos >= n ? '' : line.slice(pos), flags };
    if (quoted || word !== '') flags.push(word);
    if (pos >= n) return { rest: '', flags };
  }
}
