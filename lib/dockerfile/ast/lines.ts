import { SourceText } from '../errors.js';

/** BuildKit reads a Dockerfile with Go's line scanner, whose limit this is (64 KiB less one byte). */
export const MAX_LINE_BYTES = 65535;

/**
 * `PhysicalLines` is the file split into lines (line endings removed, a leading BOM dropped) with
 * the checks that come before parsing: no NUL bytes, no line longer than BuildKit accepts.
 */
export class PhysicalLines {
  readonly lines: string[];
  readonly source: SourceText;
  /** Whether the last line ended with a newline (a heredoc body line keeps its newline). */
  readonly finalNewline: boolean;

  constructor(input: string, file: string) {
    const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
    const lines = text.split('\n');
    this.finalNewline = lines.length > 1 && lines[lines.length - 1] === '';
    if (this.finalNewline || text === '') lines.pop();
    this.lines = lines;
    this.source = new SourceText(file, text.includes('\r') ? lines.map(trimNewline) : lines);
    this.#check(text);
  }

  #check(text: string): void {
    const nul = text.indexOf('\u0000');
    if (nul >= 0) {
      throw this.source.error('OCIBAKE_DOCKERFILE_SYNTAX', 'file contains NUL bytes; it looks binary, not like a Dockerfile', {
        line: text.slice(0, nul).split('\n').length,
        instruction: 'file',
        hint: 'pass the Dockerfile with -f/--file',
      });
    }
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      // Only a long line can be too long in bytes: UTF-8 takes at most 3 bytes per UTF-16 unit.
      if (line.length * 3 <= MAX_LINE_BYTES) continue;
      const bytes = Buffer.byteLength(line, 'utf8');
      if (bytes <= MAX_LINE_BYTES) continue;
      throw this.source.error(
        'OCIBAKE_DOCKERFILE_SYNTAX',
        `dockerfile line greater than max allowed size of ${MAX_LINE_BYTES} (this line is ${line.length} characters long)`,
        {
          line: i + 1,
          instruction: 'file',
          hint: 'is this really a Dockerfile? split long RUN commands with a trailing backslash',
        },
      );
    }
  }
}

/** `trimNewline` removes trailing CR and LF characters (Go's `bytes.TrimRight(b, "\r\n")`). */
export function trimNewline(line: string): string {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 13 || line.charCodeAt(end - 1) === 10)) end--;
  return end === line.length ? line : line.slice(0, end);
}

/** `leadingSpace` counts the leading Unicode white space of a line, in UTF-16 units. */
export function leadingSpace(line: string): number {
  const c = line.charCodeAt(0);
  if (c > 32 && c < 128) return 0;
  const m = LEADING_SPACE.exec(line);
  return m === null ? 0 : m[0].length;
}

const LEADING_SPACE = /^\s+/u;

/** `trimLeadingSpace` removes leading Unicode white space (Go's `bytes.TrimLeftFunc(b, unicode.IsSpace)`). */
export function trimLeadingSpace(line: string): string {
  const n = leadingSpace(line);
  return n === 0 ? line : line.slice(n);
}

/**
 * `continuationCut` says whether a line continues onto the next one: a trailing escape character,
 * blanks after it allowed. It returns the index to cut the line at (the escape), or -1. As in
 * BuildKit, an escape preceded by another escape (`\\`) is an escaped escape and does not continue
 * the line; a line holding only the escape continues.
 */
export function continuationCut(line: string, esc: string): number {
  let end = line.length;
  while (end > 0 && (line.charCodeAt(end - 1) === 32 || line.charCodeAt(end - 1) === 9)) end--;
  if (end === 0 || line[end - 1] !== esc) return -1;
  if (end >= 2 && line[end - 2] === esc) return -1;
  return end - 1;
}
