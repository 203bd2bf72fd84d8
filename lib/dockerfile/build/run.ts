import { chompHeredoc } from '../ast/heredoc.js';
import type { InstructionNode } from '../ast/node.js';
import type { CmdInstruction, EntrypointInstruction, Heredoc, RunInstruction, ShellInstruction } from '../instructions.js';
import { parseMount } from '../mounts.js';
import { argErrors, baseFields, commandForm, flagsOf } from './common.js';
import { syntax } from './instruction-error.js';

const NETWORKS = ['default', 'none', 'host'] as const;
const SECURITY = ['sandbox', 'insecure'] as const;

/** `runHeredocs` are a RUN's here-documents as the command sees them (chomped for `<<-`). */
export function runHeredocs(node: InstructionNode): Heredoc[] {
  return node.heredocs.map((h) => {
    const doc: Heredoc = { name: h.name, content: h.chomp ? chompHeredoc(h.content) : h.content, quoted: !h.expand, chomp: h.chomp };
    if (h.fileDescriptor !== 0) doc.fd = h.fileDescriptor;
    return doc;
  });
}

/**
 * `buildRun` types RUN: `--mount`, `--network`, `--security`, the shell or exec form (a broken JSON
 * array is shell form, as in BuildKit) and the heredocs.
 */
export function buildRun(node: InstructionNode): RunInstruction {
  const flags = flagsOf(node, 'RUN');
  if (node.args.length === 0) throw argErrors.atLeastOne('RUN');
  const run: RunInstruction = {
    kind: 'RUN',
    ...baseFields(node),
    command: commandForm(node),
    mounts: (flags.multi.get('mount') ?? []).map(parseMount),
    heredocs: runHeredocs(node),
  };
  const network = flags.strings.get('network');
  if (network !== undefined) {
    const n = NETWORKS.find((x) => x === network);
    if (n === undefined) throw syntax(`unsupported --network=${network}`, 'use default, none or host');
    run.network = n;
  }
  const security = flags.strings.get('security');
  if (security !== undefined) {
    const s = SECURITY.find((x) => x === security);
    if (s === undefined) throw syntax(`unsupported --security=${security}`, 'use sandbox or insecure');
    run.security = s;
  }
  return run;
}

/** `buildCmd` types CMD and ENTRYPOINT, recorded into the image config as written. */
export function buildCmd(kind: 'CMD' | 'ENTRYPOINT', node: InstructionNode): CmdInstruction | EntrypointInstruction {
  flagsOf(node, kind);
  return kind === 'CMD' ? { kind, ...baseFields(node), command: commandForm(node) } : { kind, ...baseFields(node), command: commandForm(node) };
}

/** `buildShell` types SHELL, which only takes the JSON form. */
export function buildShell(node: InstructionNode): ShellInstruction {
  flagsOf(node, 'SHELL');
  if (!node.json) throw syntax('SHELL requires the arguments to be in JSON form', 'write SHELL ["/bin/bash", "-c"]');
  if (node.args.length === 0) throw argErrors.atLeastOne('SHELL');
  return { kind: 'SHELL', ...baseFields(node), argv: [...node.args] };
}
