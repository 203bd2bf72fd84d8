import { isOcibakeError } from '../../errors.js';
import type { SourceText } from '../errors.js';
import { DirectiveError, DirectiveParser } from './directives.js';
import { heredocMarkers } from './heredoc.js';
import { LINE_PARSERS, ignored } from './line-parsers.js';
import { PhysicalLines, continuationCut, leadingSpace, trimLeadingSpace, trimNewline } from './lines.js';
import type { AstDirective, AstHeredoc, DockerfileAst, InstructionNode } from './node.js';
import { splitCommand } from './split-command.js';

const HEREDOC_KEYWORDS = new Set(['add', 'copy', 'run']);
const NON_BLANK = /\S/u;
// Shared empty lists: most nodes have no comments or heredocs, and the tree is read-only.
const NONE: readonly string[] = [];
const NO_HEREDOCS: readonly AstHeredoc[] = [];

/** `ParsedAst` is the tree plus the source lines its errors quote. */
export interface ParsedAst {
  ast: DockerfileAst;
  source: SourceText;
}

/**
 * `parseAst` parses Dockerfile text into BuildKit's instruction tree: parser directives at the top,
 * `#` comment lines dropped (also inside continuations), continuation lines joined (their leading
 * blanks kept), empty continuation lines warned about, and heredoc bodies of RUN/COPY/ADD read from
 * the lines after the instruction. Errors are `DockerfileError`s at the offending line.
 *
 *     parseAst('FROM alpine\nRUN <<EOF\necho hi\nEOF\n', 'Dockerfile').ast.children[1]!.heredocs[0]!.content // 'echo hi\n'
 */
export function parseAst(text: string, file: string): ParsedAst {
  const phys = new PhysicalLines(text, file);
  const { lines, source } = phys;
  const directives = new DirectiveParser();
  const ast: DockerfileAst = { children: [], escape: '\\', directives: [], emptyContinuations: [] };
  let comments: string[] = [];
  let i = 0;

  const directiveOf = (line: string, at: number): AstDirective | undefined => {
    try {
      return directives.parseLine(line);
    } catch (err) {
      if (!(err instanceof DirectiveError)) throw err;
      throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', err.message, { line: at, instruction: 'parser directive' });
    }
  };

  while (i < lines.length) {
    const raw = lines[i]!;
    const first = trimLeadingSpace(trimNewline(raw));
    const isComment = first.charCodeAt(0) === 35; // '#'
    if (isComment) {
      // BuildKit drops the line's first byte, not its `#`: an indented comment keeps its `#`.
      const comment = raw.slice(1).trim();
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    const directive = directiveOf(first, i + 1);
    if (directive !== undefined) {
      comments.pop();
      useDirective(ast, directive, source);
    }
    i++;
    const startLine = i;
    let cut = isComment ? -1 : continuationCut(first, ast.escape);
    let line = isComment ? '' : cut < 0 ? first : first.slice(0, cut);
    if (cut < 0 && line === '') continue;
    let empty: number[] | undefined;
    while (cut >= 0 && i < lines.length) {
      const processed = trimNewline(lines[i]!);
      directiveOf(processed, i + 1);
      i++;
      const trimmed = trimLeadingSpace(processed);
      if (trimmed.charCodeAt(0) === 35) continue;
      if (trimmed === '') {
        (empty ??= []).push(i);
        continue;
      }
      cut = continuationCut(processed, ast.escape);
      line += cut < 0 ? processed : processed.slice(0, cut);
    }
    if (empty !== undefined) for (const e of empty) ast.emptyContinuations.push({ line: e, instructionEnd: i, text: line });
    // A lone continuation character (` \` then blank lines to the end) joins into nothing; BuildKit
    // would make a nameless instruction of it and then reject that.
    if (!NON_BLANK.test(line)) continue;
    const node = nodeFromLine(line, ast.escape, comments, startLine, source, raw);
    if (canContainHeredoc(node) && line.includes('<<')) {
      const heredocs: AstHeredoc[] = [];
      for (const marker of located(() => heredocMarkers(line), source, startLine, node)) {
        const body = readHeredocBody(phys, i, marker.name, marker.chomp);
        if (body === undefined) {
          throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `unterminated heredoc <<${marker.name}: no line "${marker.name}" before the end of the file`, {
            line: startLine,
            column: node.column,
            instruction: node.keyword.toUpperCase(),
            hint: `end the here-document with a line holding only ${marker.name}`,
          });
        }
        i = body.next;
        heredocs.push({ ...marker, content: body.content });
      }
      if (heredocs.length > 0) node.heredocs = heredocs;
    }
    node.endLine = i;
    ast.children.push(node);
    if (comments.length > 0) comments = [];
  }
  if (ast.children.length === 0) {
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', 'file with no instructions', {
      line: 1,
      instruction: 'file',
      hint: 'a Dockerfile starts with FROM <image> (ARG lines may come before it)',
    });
  }
  return { ast, source };
}

function useDirective(ast: DockerfileAst, d: AstDirective, source: SourceText): void {
  ast.directives.push(d);
  if (d.name !== 'escape') return;
  if (d.value !== '\\' && d.value !== '`') {
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', `invalid escape token ${JSON.stringify(d.value)}: it must be \` or \\`, {
      line: d.line,
      instruction: 'parser directive',
      hint: 'use `# escape=\\` (the default) or `# escape=`` (Windows-style)',
    });
  }
  ast.escape = d.value;
}

/**
 * `nodeFromLine` builds the node of one logical line (BuildKit's `newNodeFromLine`): keyword and
 * flags split off, the rest handed to the keyword's line parser; ONBUILD parses its trigger.
 */
export function nodeFromLine(line: string, escape: string, comments: readonly string[], startLine: number, source: SourceText, rawFirst = ''): InstructionNode {
  const split = splitCommand(line);
  const lower = split.keyword.toLowerCase();
  const column = leadingSpace(rawFirst) + 1;
  const node: InstructionNode = {
    keyword: split.keyword,
    original: line,
    flags: split.flags,
    args: NONE,
    json: false,
    heredocs: NO_HEREDOCS,
    startLine,
    endLine: startLine,
    column,
    comments: comments.length === 0 ? NONE : comments,
  };
  if (lower === 'onbuild') {
    if (split.rest !== '') node.trigger = nodeFromLine(split.rest, escape, NONE, startLine, source);
    return node;
  }
  const parse = LINE_PARSERS[lower];
  const parsed = located(() => (parse === undefined ? ignored() : parse(split.rest, escape)), source, startLine, node);
  node.args = parsed.args;
  node.json = parsed.json;
  return node;
}

function canContainHeredoc(node: InstructionNode): boolean {
  const n = node.trigger ?? node;
  return HEREDOC_KEYWORDS.has(n.keyword.toLowerCase()) && !n.json;
}

function located<T>(fn: () => T, source: SourceText, line: number, node: InstructionNode): T {
  try {
    return fn();
  } catch (err) {
    if (!isOcibakeError(err)) throw err;
    throw source.error('OCIBAKE_DOCKERFILE_SYNTAX', err.message, { line, column: node.column, instruction: node.keyword.toUpperCase() });
  }
}

/**
 * Reads a heredoc body from line index `from` up to the terminator line (compared after removing
 * the line ending, and leading tabs for `<<-`). Returns the body and the index after the terminator,
 * or undefined when the file ends first.
 */
function readHeredocBody(phys: PhysicalLines, from: number, name: string, chomp: boolean): { content: string; next: number } | undefined {
  const { lines } = phys;
  let content = '';
  for (let i = from; i < lines.length; i++) {
    const raw = lines[i]!;
    let candidate = trimNewline(raw);
    if (chomp) candidate = candidate.replace(/^\t+/, '');
    if (candidate === name) return { content, next: i + 1 };
    content += i < lines.length - 1 || phys.finalNewline ? `${raw}\n` : raw;
  }
  return undefined;
}
