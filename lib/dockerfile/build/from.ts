import { parsePlatform } from '../../oci/platform.js';
import { isOcibakeError } from '../../errors.js';
import type { InstructionNode } from '../ast/node.js';
import type { FromInstruction } from '../instructions.js';
import { baseFields, flagsOf } from './common.js';
import { InstructionError, syntax } from './instruction-error.js';

const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

/**
 * `buildFrom` types `FROM [--platform=P] image [AS name]`. The stage name is lower-cased (the
 * node keeps the original case for the casing checks); a literal `--platform` must parse.
 */
export function buildFrom(node: InstructionNode): FromInstruction {
  const words = node.args;
  let stageName: string | undefined;
  if (words.length === 3 && words[1]!.toLowerCase() === 'as') {
    stageName = words[2]!.toLowerCase();
    if (!STAGE_NAME.test(stageName)) {
      throw syntax(`invalid name for build stage: ${JSON.stringify(words[2])}, name can't start with a number or contain symbols`);
    }
  } else if (words.length !== 1) {
    throw syntax('FROM requires either one or three arguments', 'write FROM image[:tag] [AS name]');
  }
  const flags = flagsOf(node, 'FROM');
  const from: FromInstruction = { kind: 'FROM', ...baseFields(node), image: words[0]! };
  const platform = flags.strings.get('platform');
  if (platform !== undefined) {
    if (platform === '') throw new InstructionError('OCIBAKE_INVALID_PLATFORM', '--platform needs a value', { hint: 'e.g. --platform=$BUILDPLATFORM' });
    if (!platform.includes('$')) {
      try {
        parsePlatform(platform);
      } catch (err) {
        if (!isOcibakeError(err)) throw err;
        throw new InstructionError('OCIBAKE_INVALID_PLATFORM', `--platform: ${err.message}`, { hint: err.hint });
      }
    }
    from.platform = platform;
  }
  if (stageName !== undefined) from.stageName = stageName;
  return from;
}
