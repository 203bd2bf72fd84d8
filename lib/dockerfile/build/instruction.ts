import type { InstructionNode } from '../ast/node.js';
import type { FromInstruction, Instruction, OnbuildInstruction } from '../instructions.js';
import { didYouMean } from '../suggest.js';
import { baseFields, flagsOf } from './common.js';
import { buildCopy } from './copy.js';
import { buildFrom } from './from.js';
import { buildHealthcheck } from './healthcheck.js';
import { syntax } from './instruction-error.js';
import { buildCmd, buildRun, buildShell } from './run.js';
import { buildArg, buildExpose, buildKeyValues, buildSingle, buildVolume } from './simple.js';

/** Every instruction keyword the parser knows, for "did you mean". */
export const INSTRUCTIONS = [
  'FROM',
  'ARG',
  'ENV',
  'LABEL',
  'RUN',
  'CMD',
  'ENTRYPOINT',
  'COPY',
  'ADD',
  'WORKDIR',
  'USER',
  'EXPOSE',
  'VOLUME',
  'STOPSIGNAL',
  'HEALTHCHECK',
  'SHELL',
  'ONBUILD',
  'MAINTAINER',
] as const;

/**
 * `buildInstruction` turns one instruction node into its typed instruction (BuildKit's
 * `instructions.ParseInstruction`). It throws `InstructionError`; the caller adds the location.
 *
 *     buildInstruction(parseAst('FROM a\nCOPY --from=build /out /app\n', 'Dockerfile').ast.children[1]!) // { kind: 'COPY', from: 'build', ... }
 */
export function buildInstruction(node: InstructionNode): Instruction | FromInstruction {
  const kind = node.keyword.toUpperCase();
  switch (kind) {
    case 'FROM':
      return buildFrom(node);
    case 'ARG':
      return buildArg(node);
    case 'ENV':
    case 'LABEL':
      return buildKeyValues(kind, node);
    case 'RUN':
      return buildRun(node);
    case 'CMD':
    case 'ENTRYPOINT':
      return buildCmd(kind, node);
    case 'SHELL':
      return buildShell(node);
    case 'COPY':
    case 'ADD':
      return buildCopy(kind, node);
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER':
      return buildSingle(kind, node);
    case 'EXPOSE':
      return buildExpose(node);
    case 'VOLUME':
      return buildVolume(node);
    case 'HEALTHCHECK':
      return buildHealthcheck(node);
    case 'ONBUILD':
      return buildOnbuild(node);
    default:
      throw syntax(`unknown instruction: ${node.keyword}${didYouMean(node.keyword, INSTRUCTIONS)}`, `instructions are ${INSTRUCTIONS.join(' ')}`);
  }
}

/**
 * `buildOnbuild` types ONBUILD. The expression recorded into the image is the line without the
 * ONBUILD keyword, followed by the trigger's heredocs, as BuildKit records it.
 */
function buildOnbuild(node: InstructionNode): OnbuildInstruction {
  const trigger = node.trigger;
  if (trigger === undefined) throw syntax('ONBUILD requires at least one argument');
  flagsOf(node, 'ONBUILD');
  const inner = trigger.keyword.toUpperCase();
  if (inner === 'ONBUILD') throw syntax("Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
  if (inner === 'FROM' || inner === 'MAINTAINER') throw syntax(`${inner} isn't allowed as an ONBUILD trigger`);
  // BuildKit would only fail when a later build runs the trigger; the typo is clearer here.
  if (!(INSTRUCTIONS as readonly string[]).includes(inner))
    throw syntax(`unknown instruction in ONBUILD: ${trigger.keyword}${didYouMean(trigger.keyword, INSTRUCTIONS)}`);
  let expression = node.original.replace(/^\s*ONBUILD\s*/i, '');
  for (const h of node.heredocs) expression += `\n${h.content}${h.name}`;
  return { kind: 'ONBUILD', ...baseFields(node), expression };
}
