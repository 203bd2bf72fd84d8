import type { DockerfileAst, InstructionNode } from './node.js';

/**
 * `dumpAst` prints the tree as BuildKit's `Node.Dump()` does, one S-expression per instruction:
 * `(copy ["--from=build"] "/out" "/app")`. BuildKit's parser tests compare this text.
 */
export function dumpAst(ast: DockerfileAst): string {
  return ast.children.map((n) => `(${dumpNode(n)})`).join('\n');
}

/** `dumpNode` prints one instruction node without the surrounding parentheses. */
export function dumpNode(node: InstructionNode): string {
  let out = node.keyword.toLowerCase();
  if (node.flags.length > 0) out += ` [${node.flags.map(goQuote).join(' ')}]`;
  if (node.trigger !== undefined) out += ` (${dumpNode(node.trigger)})`;
  else for (const a of node.args) out += ` ${goQuote(a)}`;
  return out.trim();
}

/**
 * `goQuote` is Go's `strconv.Quote`: a double-quoted string with `\"`, `\\`, the C escapes,
 * `\xNN` for other control bytes and `\uNNNN` for non-printable runes; printable Unicode stays.
 */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else if (ch === '\u0007') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\v') out += '\\v';
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, '0')}`;
    else if (isPrintable(ch)) out += ch;
    else if (c > 0xffff) out += `\\U${c.toString(16).padStart(8, '0')}`;
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return `${out}"`;
}

// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;

function isPrintable(ch: string): boolean {
  return PRINTABLE.test(ch);
}
