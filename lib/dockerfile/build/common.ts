import type { InstructionNode } from '../ast/node.js';
import type { CommandForm, SourceRange } from '../instructions.js';
import { FLAG_SPECS, parseFlags, type ParsedFlags } from '../flags.js';
import { syntax } from './instruction-error.js';

/** `BaseFields` are the fields every typed instruction has. */
export interface BaseFields {
  range: SourceRange & { column: number };
  text: string;
}

/** `baseFields` takes the location and source text of a node. */
export function baseFields(node: InstructionNode): BaseFields {
  return { range: { startLine: node.startLine, endLine: node.endLine, column: node.column }, text: node.original.trim() };
}

/** `flagsOf` parses a node's raw flags against the flags its instruction declares. */
export function flagsOf(node: InstructionNode, kind: string): ParsedFlags {
  return parseFlags(node.flags, FLAG_SPECS[kind] ?? {}, kind);
}

/** `commandForm` is the exec form for a JSON array, otherwise the shell form of the joined words. */
export function commandForm(node: InstructionNode, args: readonly string[] = node.args): CommandForm {
  return node.json ? { form: 'exec', argv: [...args] } : { form: 'shell', text: args.join(' ') };
}

/** The argument-count errors, worded as BuildKit words them. */
export const argErrors = {
  exactlyOne: (kind: string) => syntax(`${kind} requires exactly one argument`),
  atLeastOne: (kind: string) => syntax(`${kind} requires at least one argument`),
  noDestination: (kind: string) =>
    syntax(`${kind} requires at least two arguments, but only one was provided. Destination could not be determined`, `write ${kind} <src>... <dest>`),
  blankName: (kind: string) => syntax(`${kind} names can not be blank`),
};
