import { isShellSpace } from '../shell/words.js';

/** `SplitCommand` is a logical line cut into keyword, raw flags and the rest. */
export interface SplitCommand {
  keyword: string;
  flags: string[];
  rest: string;
}

const TOKEN_BLANKS = /[\t\v\f\r ]+/;

/**
 * `splitCommand` separates the keyword, the leading `--flag[=value]` words (quotes and `\`
 * removed, `--` ends them) and the arguments, as BuildKit's `splitCommand` does.
 *
 *     splitCommand('COPY --from=build /out /app') // { keyword: 'COPY', flags: ['--from=build'], rest: '/out /app' }
 */
export function splitCommand(line: string): SplitCommand {
  const trimmed = line.trim();
  const m = TOKEN_BLANKS.exec(trimmed);
  if (m === null) return { keyword: trimmed, flags: [], rest: '' };
  const keyword = trimmed.slice(0, m.index);
  const { rest, flags } = extractFlags(trimmed.slice(m.index + m[0].length));
  return { keyword, flags, rest: rest.trim() };
}

/** Reads `--…` words from the start of `line`; quoting works as in a shell word, with `\` as escape. */
function extractFlags(line: string): { rest: string; flags: string[] } {
  const flags: string[] = [];
  let pos = 0;
  const n = line.length;
  for (;;) {
    while (pos < n && isShellSpace(line[pos]!)) pos++;
    if (pos >= n) return { rest: '', flags };
    if (line[pos] !== '-' || line[pos + 1] !== '-') return { rest: line.slice(pos), flags };
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
