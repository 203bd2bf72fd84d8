import type { RunInstruction } from '../dockerfile/instructions.js';

/** `runArgv` is the argv a RUN executes: exec form as written, shell form through the stage's SHELL. */
export function runArgv(instr: RunInstruction, shell: string[]): string[] {
  if (instr.command.form === 'exec') return instr.command.argv;
  let text = instr.command.text;
  // `RUN <<EOF … EOF` alone: the here-document is the script (BuildKit runs it with the shell).
  const only = instr.heredocs.length === 1 && /^<<-?["']?\w+["']?\s*$/.test(text.trim()) ? instr.heredocs[0] : undefined;
  if (only) text = only.content;
  return [...(shell.length > 0 ? shell : ['/bin/sh', '-c']), text];
}
