import { processShellWord } from '../shell/lex.js';
import type { AstHeredoc } from './node.js';
import { LineParseError } from './line-parsers.js';

/** `HeredocMarker` is a `<<NAME` word found in an instruction line; the body is read later. */
export type HeredocMarker = Omit<AstHeredoc, 'content'>;

const HEREDOC_WORD = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;
const unset = (): undefined => undefined;

function quoteCount(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '"' || ch === "'") n++;
  return n;
}

/**
 * `parseHeredocWord` reads one shell word as a heredoc marker, BuildKit's way: `[fd]<<[-][blanks]word`
 * where the word must lex to exactly one word. The body expands unless some part of the word was
 * quoted, which shows as a different number of quote characters when the word is lexed with and
 * without keeping quotes (an escaped quote counts the same both times).
 *
 *     parseHeredocWord("3<<-'EOF'") // { name: 'EOF', fileDescriptor: 3, chomp: true, expand: false }
 */
export function parseHeredocWord(word: string): HeredocMarker | undefined {
  const m = HEREDOC_WORD.exec(word);
  if (m === null || m[3] === '') return undefined;
  const rest = m[3]!;
  const words = processShellWord(rest, unset, { skipUnsetEnv: true }).words;
  if (words.length !== 1) return undefined;
  const raw = processShellWord(rest, unset, { skipUnsetEnv: true, rawQuotes: true }).words;
  if (raw.length !== 1) throw new LineParseError(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  const fd = Number(m[1] === '' ? '0' : m[1]);
  return {
    name: words[0]!,
    fileDescriptor: Number.isSafeInteger(fd) ? fd : 0,
    expand: quoteCount(words[0]!) === quoteCount(raw[0]!),
    chomp: m[2] === '-',
  };
}

/**
 * `heredocMarkers` finds the heredoc markers of an instruction line: the line is split into shell
 * words keeping quotes, escapes and unset variables as written, so `"<<EOF"` (quoted) and
 * `cat<<<EOF` (a here-string) are not markers, while `cat << EOF` is.
 */
export function heredocMarkers(line: string): HeredocMarker[] {
  let words: string[];
  try {
    words = processShellWord(line, unset, { rawQuotes: true, rawEscapes: true, skipUnsetEnv: true }).words;
  } catch {
    return [];
  }
  const out: HeredocMarker[] = [];
  for (const w of words) {
    if (!w.includes('<<')) continue;
    const marker = parseHeredocWord(w);
    if (marker !== undefined) out.push(marker);
  }
  return out;
}

/** `chompHeredoc` strips the leading tabs of every line, as `<<-` asks. */
export function chompHeredoc(content: string): string {
  return content.replace(/^\t+/gm, '');
}
