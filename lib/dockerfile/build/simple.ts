import type { InstructionNode } from '../ast/node.js';
import type {
  ArgInstruction,
  EnvInstruction,
  ExposeInstruction,
  LabelInstruction,
  MaintainerInstruction,
  StopsignalInstruction,
  UserInstruction,
  VolumeInstruction,
  WorkdirInstruction,
} from '../instructions.js';
import { argErrors, baseFields, flagsOf } from './common.js';
import { syntax } from './instruction-error.js';

const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `buildKeyValues` types ENV and LABEL from the parser's `key, value, separator` triples. */
export function buildKeyValues(kind: 'ENV' | 'LABEL', node: InstructionNode): EnvInstruction | LabelInstruction {
  flagsOf(node, kind);
  if (node.args.length === 0) throw argErrors.atLeastOne(kind);
  const pairs: { key: string; value: string }[] = [];
  for (let i = 0; i + 1 < node.args.length; i += 3) {
    const key = node.args[i]!;
    if (key === '') throw argErrors.blankName(kind);
    pairs.push({ key, value: node.args[i + 1]! });
  }
  return kind === 'ENV' ? { kind, ...baseFields(node), pairs } : { kind, ...baseFields(node), pairs };
}

/**
 * `buildArg` types `ARG NAME[=default] ...`. ocibake also insists on names a `$NAME` reference can
 * reach (BuildKit accepts any word and then can never expand it).
 */
export function buildArg(node: InstructionNode): ArgInstruction {
  if (node.args.length === 0) throw syntax('ARG requires at least one argument', 'write ARG NAME or ARG NAME=default');
  flagsOf(node, 'ARG');
  return {
    kind: 'ARG',
    ...baseFields(node),
    args: node.args.map((w) => {
      const eq = w.indexOf('=');
      const name = eq < 0 ? w : w.slice(0, eq);
      if (name === '') throw argErrors.blankName('ARG');
      if (!ARG_NAME.test(name)) throw syntax(`invalid ARG name ${JSON.stringify(name)}`, 'names are letters, digits and _, not starting with a digit');
      return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
    }),
  };
}

/** `buildSingle` types the one-argument instructions: WORKDIR, USER, STOPSIGNAL and MAINTAINER. */
export function buildSingle(
  kind: 'WORKDIR' | 'USER' | 'STOPSIGNAL' | 'MAINTAINER',
  node: InstructionNode,
): WorkdirInstruction | UserInstruction | StopsignalInstruction | MaintainerInstruction {
  if (node.args.length !== 1) throw argErrors.exactlyOne(kind);
  flagsOf(node, kind);
  const v = node.args[0]!;
  const base = baseFields(node);
  switch (kind) {
    case 'WORKDIR':
      return { kind, ...base, path: v };
    case 'USER':
      return { kind, ...base, user: v };
    case 'STOPSIGNAL':
      return { kind, ...base, signal: v };
    case 'MAINTAINER':
      return { kind, ...base, name: v };
  }
}

/** `buildExpose` types EXPOSE; the ports are checked once expanded, by the planner. */
export function buildExpose(node: InstructionNode): ExposeInstruction {
  if (node.args.length === 0) throw argErrors.atLeastOne('EXPOSE');
  flagsOf(node, 'EXPOSE');
  return { kind: 'EXPOSE', ...baseFields(node), ports: [...node.args] };
}

/** `buildVolume` types VOLUME, in JSON or word form; paths are trimmed and may not be empty. */
export function buildVolume(node: InstructionNode): VolumeInstruction {
  flagsOf(node, 'VOLUME');
  if (node.args.length === 0) throw argErrors.atLeastOne('VOLUME');
  const paths = node.args.map((p) => p.trim());
  if (paths.some((p) => p === '')) throw syntax('VOLUME specified can not be an empty string');
  return { kind: 'VOLUME', ...baseFields(node), paths };
}
