import type { Heredoc } from './instructions.js';
import { SourceText } from './errors.js';

/** Lines longer than this are rejected: no sane Dockerfile has one, and a runaway line is usually a binary file. */
export const MAX_LINE_LENGTH = 1 << 20;

/** `Directives` are the parser directives at the top of a Dockerfile (`# escape=`, `# syntax=`). */
export interface Directives {
  escape: '\\' | '`';
  syntax?: string;
  check?: string;
}

/** `LogicalLine` is one instruction: continuations joined, comments dropped, heredoc bodies attached. */
export interface LogicalLine {
  /** The keyword as written (`from`, `FROM`). */
  keyword: string;
  /** Everything after the keyword, continuations joined, leading whitespace removed. */
  args: string;
  /** The whole logical line (keyword and args), for messages and history. */
  text: string;
  startLine: number;
  /** Last physical line, heredoc bodies included. */
  endLine: number;
  column: number;
  heredocs: Heredoc[];
}

/** `LexWarning` is something BuildKit accepts but warns about (empty continuation lines). */
export interface LexWarning {
  line: number;
  message: string;
}

/** `LexResult` is the output of `lex`. */
export interface LexResult {
  directives: Directives;
  lines: LogicalLine[];
  source: SourceText;
  warnings: LexWarning[];
}

const HEREDOC_COMMANDS = new Set(['RUN', 'COPY', 'ADD']);
const DIRECTIVE = /^\s*#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$/;
const KNOWN_DIRECTIVES = new Set(['escape', 'syntax', 'check']);

/**
 * `lex` splits Dockerfile text into logical lines the way BuildKit's parser does: parser directives
 * only at the very top, `#` comment lines dropped (also inside continuations), a line ending in the
 * escape character (trailing blanks allowed) continued onto the next, empty continuation lines
 * skipped with a warning, and here-documents (`<<EOF`, `<<-EOF`, `<<'EOF'`) of RUN/COPY/ADD read
 * from the lines after the instruction.
 *
 *     lex('FROM alpine\nRUN <<EOF\necho hi\nEOF\n', 'Dockerfile').lines[1].heredocs[0].content // 'echo hi\n'
 */
export function lex(input: string, file: string): LexResult {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const physical = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const source = new SourceText(file, physical);
  checkBinary(text, source);
  for (let i = 0; i < physical.length; i++) {
    if (physical[i]!.length > MAX_LINE_LENGTH) {
      throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `line is ${physical[i]!.length} characters long (limit ${MAX_LINE_LENGTH})`, {
        line: i + 1,
        instruction: 'file',
        hint: 'is this really a Dockerfile? split long RUN commands with a trailing backslash',
      });
    }
  }
  const { directives, next } = readDirectives(physical, source);
  const esc = directives.escape;
  const lines: LogicalLine[] = [];
  const warnings: LexWarning[] = [];
  let i = next;
  while (i < physical.length) {
    const raw = physical[i]!;
    const trimmed = raw.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const start = i;
    const column = raw.length - trimmed.length + 1;
    let joined = '';
    let cur = trimmed;
    for (;;) {
      const cont = continuation(cur, esc);
      if (cont === undefined) {
        joined += cur;
        i++;
        break;
      }
      joined += cont;
      i++;
      while (i < physical.length) {
        const t = physical[i]!.trimStart();
        if (t.startsWith('#')) i++;
        else if (t === '') {
          warnings.push({ line: i + 1, message: 'empty continuation line (deprecated; a future Dockerfile syntax may reject it)' });
          i++;
        } else break;
      }
      if (i >= physical.length) break;
      cur = physical[i]!;
    }
    joined = joined.trimStart();
    // A lone continuation character (` \` then blank lines to EOF) joins into nothing.
    if (joined === '') continue;
    const m = /^(\S+)\s*/.exec(joined)!;
    const keyword = m[1]!;
    const args = joined.slice(m[0].length);
    const endBeforeHeredoc = i;
    const heredocs: Heredoc[] = [];
    const upper = keyword.toUpperCase();
    if (HEREDOC_COMMANDS.has(upper) && !isJsonForm(args)) {
      for (const marker of heredocMarkers(args, esc)) {
        const body: string[] = [];
        for (;;) {
          if (i >= physical.length) {
            throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `unterminated heredoc <<${marker.name}: no line "${marker.name}" before the end of the file`, {
              line: start + 1,
              column,
              instruction: upper,
              hint: `end the here-document with a line holding only ${marker.name}`,
            });
          }
          const line = physical[i++]!;
          const cmp = marker.chomp ? line.replace(/^\t+/, '') : line;
          if (cmp === marker.name) break;
          body.push(cmp);
        }
        heredocs.push({ name: marker.name, content: body.map((l) => `${l}\n`).join(''), quoted: marker.quoted, chomp: marker.chomp });
      }
    }
    lines.push({
      keyword,
      args,
      text: joined.trimEnd(),
      startLine: start + 1,
      endLine: Math.max(start + 1, heredocs.length > 0 ? i : endBeforeHeredoc),
      column,
      heredocs,
    });
  }
  return { directives, lines, source, warnings };
}

function checkBinary(text: string, source: SourceText): void {
  const nul = text.indexOf('\u0000');
  if (nul < 0) return;
  const line = text.slice(0, nul).split('\n').length;
  throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', 'file contains NUL bytes; it looks binary, not like a Dockerfile', {
    line,
    instruction: 'file',
    hint: 'pass the Dockerfile with -f/--file',
  });
}

function readDirectives(physical: string[], source: SourceText): { directives: Directives; next: number } {
  const directives: Directives = { escape: '\\' };
  const seen = new Set<string>();
  let i = 0;
  for (; i < physical.length; i++) {
    const m = DIRECTIVE.exec(physical[i]!);
    if (!m) break;
    const key = m[1]!.toLowerCase();
    // An unknown directive is a comment, and ends the directive block (Dockerfile reference).
    if (!KNOWN_DIRECTIVES.has(key)) break;
    const value = m[2]!;
    if (seen.has(key)) {
      throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `only one ${key} parser directive can be used`, { line: i + 1, instruction: 'parser directive' });
    }
    seen.add(key);
    if (key === 'escape') {
      if (value !== '\\' && value !== '`') {
        throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `invalid escape token ${JSON.stringify(value)}: it must be \` or \\`, {
          line: i + 1,
          instruction: 'parser directive',
          hint: 'use `# escape=\\` (the default) or `# escape=`` (Windows-style)',
        });
      }
      directives.escape = value;
    } else if (key === 'syntax') directives.syntax = value;
    else directives.check = value;
  }
  return { directives, next: i };
}

/** The line without its continuation marker, or undefined when it does not continue. */
function continuation(line: string, esc: string): string | undefined {
  let end = line.length;
  while (end > 0 && (line[end - 1] === ' ' || line[end - 1] === '\t')) end--;
  if (end === 0 || line[end - 1] !== esc) return undefined;
  return line.slice(0, end - 1);
}

/** `isJsonForm` tells whether args look like a JSON string array (exec form): then no heredocs. */
export function isJsonForm(args: string): boolean {
  const t = args.trim();
  if (!t.startsWith('[') || !t.endsWith(']')) return false;
  try {
    const v: unknown = JSON.parse(t);
    return Array.isArray(v) && v.every((s) => typeof s === 'string');
  } catch {
    return false;
  }
}

interface HeredocMarker {
  name: string;
  quoted: boolean;
  chomp: boolean;
}

/**
 * Heredoc markers are unquoted words that start with `<<` (not `<<<`): `<<EOF`, `<<-EOF`,
 * `<<"EOF"`, `<<'EOF'`. A quoted word (`"<<NOHEREDOC"`) or `cat<<EOF` is not one, as in BuildKit,
 * which looks at whole shell words.
 */
export function heredocMarkers(args: string, esc: string): HeredocMarker[] {
  const out: HeredocMarker[] = [];
  for (const word of rawWords(args, esc)) {
    if (!word.startsWith('<<') || word.startsWith('<<<')) continue;
    let rest = word.slice(2);
    const chomp = rest.startsWith('-');
    if (chomp) rest = rest.slice(1);
    const cut = /[>|;&<()]/.exec(rest);
    if (cut) rest = rest.slice(0, cut.index);
    const quoted = /['"]/.test(rest);
    const name = rest.replace(/['"]/g, '');
    if (name === '') continue;
    out.push({ name, quoted, chomp });
  }
  return out;
}

/** `rawWords` splits on unquoted blanks, keeping quotes and escapes in each word. */
export function rawWords(args: string, esc: string): string[] {
  // Words are substrings between unquoted blanks, so slice instead of building them char by char:
  // this is the parser's hottest loop.
  const words: string[] = [];
  let start = -1;
  let quote = '';
  for (let i = 0; i < args.length; i++) {
    const ch = args[i]!;
    if (quote !== '') {
      if (ch === esc && quote === '"') i++;
      else if (ch === quote) quote = '';
      continue;
    }
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (start >= 0) words.push(args.slice(start, i));
      start = -1;
      continue;
    }
    if (start < 0) start = i;
    if (ch === esc) i++;
    else if (ch === '"' || ch === "'") quote = ch;
  }
  if (start >= 0) words.push(args.slice(start));
  return words;
}
