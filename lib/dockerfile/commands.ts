import { parsePlatform } from '../oci/platform.js';
import { isOcibakeError } from '../errors.js';
import type { AddInstruction, CommandForm, CopyInstruction, FromInstruction, HealthcheckInstruction, Instruction, RunInstruction } from './instructions.js';
import type { LogicalLine } from './lexer.js';
import { parseDuration, parseFlags, type ParsedFlags } from './flags.js';
import { parseMount } from './mounts.js';
import { ParseProblem, jsonArray, listArgs, looksLikeBrokenJson, nameValues } from './words.js';
import { rawWords } from './lexer.js';
import { didYouMean } from './suggest.js';

/** Every instruction keyword the parser knows, for "did you mean". */
export const INSTRUCTIONS = [
  'FROM', 'ARG', 'ENV', 'LABEL', 'RUN', 'CMD', 'ENTRYPOINT', 'COPY', 'ADD', 'WORKDIR', 'USER',
  'EXPOSE', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'MAINTAINER',
] as const;

const STAGE_NAME = /^[a-z][a-z0-9\-_.]*$/;

/**
 * `buildInstruction` turns one logical line into its typed instruction. It throws `ParseProblem`
 * or `FlagError`; the caller attaches the location.
 *
 *     buildInstruction({ keyword: 'COPY', args: '--from=build /out /app', ... }, '\\') // { kind: 'COPY', from: 'build', ... }
 */
export function buildInstruction(line: LogicalLine, esc: string): Instruction | FromInstruction {
  const kind = line.keyword.toUpperCase();
  const base = { range: { startLine: line.startLine, endLine: line.endLine, column: line.column }, text: line.text };
  const flags = parseFlags(kind, line.args);
  const rest = flags.rest;
  switch (kind) {
    case 'FROM':
      return fromInstruction(base, flags, esc);
    case 'ARG': {
      const words = rawWords(rest, esc);
      if (words.length === 0) throw new ParseProblem('ARG requires at least one argument', 'write ARG NAME or ARG NAME=default');
      return {
        kind, ...base,
        args: words.map((w) => {
          const eq = w.indexOf('=');
          const name = eq < 0 ? w : w.slice(0, eq);
          if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new ParseProblem(`invalid ARG name ${JSON.stringify(name)}`);
          return eq < 0 ? { name } : { name, value: w.slice(eq + 1) };
        }),
      };
    }
    case 'ENV':
    case 'LABEL':
      return { kind, ...base, pairs: nameValues(kind, rest, esc) };
    case 'RUN':
      return runInstruction(base, flags, line);
    case 'CMD':
    case 'ENTRYPOINT':
      return { kind, ...base, command: commandForm(kind, rest) };
    case 'COPY':
    case 'ADD':
      return copyInstruction(kind, base, flags, line, esc);
    case 'WORKDIR':
    case 'USER':
    case 'STOPSIGNAL':
    case 'MAINTAINER': {
      if (rest === '') throw new ParseProblem(`${kind} requires exactly one argument`);
      if (kind === 'WORKDIR') return { kind, ...base, path: rest };
      if (kind === 'USER') return { kind, ...base, user: rest };
      if (kind === 'STOPSIGNAL') {
        if (rawWords(rest, esc).length !== 1) throw new ParseProblem('STOPSIGNAL requires exactly one argument');
        return { kind, ...base, signal: rest };
      }
      return { kind, ...base, name: rest };
    }
    case 'EXPOSE': {
      const ports = rawWords(rest, esc);
      if (ports.length === 0) throw new ParseProblem('EXPOSE requires at least one argument');
      return { kind, ...base, ports };
    }
    case 'VOLUME': {
      const paths = listArgs(rest, esc);
      if (paths.length === 0) throw new ParseProblem('VOLUME requires at least one argument');
      if (paths.some((p) => p.trim() === '')) throw new ParseProblem('VOLUME specified can not be an empty string');
      return { kind, ...base, paths };
    }
    case 'SHELL': {
      const argv = jsonArray(rest);
      if (argv === undefined) throw new ParseProblem('SHELL requires the arguments to be in JSON form', 'write SHELL ["/bin/bash", "-c"]');
      if (argv.length === 0) throw new ParseProblem('SHELL requires at least one argument');
      return { kind, ...base, argv };
    }
    case 'HEALTHCHECK':
      return healthcheck(base, flags, rest, esc);
    case 'ONBUILD': {
      if (rest === '') throw new ParseProblem('ONBUILD requires at least one argument');
      const inner = (/^\S+/.exec(rest)?.[0] ?? '').toUpperCase();
      if (inner === 'ONBUILD') throw new ParseProblem('chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
      if (inner === 'FROM' || inner === 'MAINTAINER') throw new ParseProblem(`${inner} isn't allowed as an ONBUILD trigger`);
      if (!(INSTRUCTIONS as readonly string[]).includes(inner)) {
        throw new ParseProblem(`unknown instruction in ONBUILD: ${inner}${didYouMean(inner, INSTRUCTIONS)}`);
      }
      return { kind, ...base, expression: rest };
    }
    default:
      throw new ParseProblem(
        `unknown instruction: ${line.keyword}${didYouMean(line.keyword, INSTRUCTIONS)}`,
        `instructions are ${INSTRUCTIONS.join(' ')}`,
      );
  }
}

type BaseFields = { range: { startLine: number; endLine: number; column: number }; text: string };

function fromInstruction(base: BaseFields, flags: ParsedFlags, esc: string): FromInstruction {
  const words = rawWords(flags.rest, esc);
  if (!(words.length === 1 || (words.length === 3 && words[1]!.toLowerCase() === 'as'))) {
    throw new ParseProblem('FROM requires either one or three arguments', 'write FROM image[:tag] [AS name]');
  }
  const from: FromInstruction = { kind: 'FROM', ...base, image: words[0]! };
  const platform = flags.strings.get('platform');
  if (platform !== undefined) {
    if (platform === '') throw new ParseProblem('--platform needs a value', 'e.g. --platform=$BUILDPLATFORM', 'OCIBAKE_INVALID_PLATFORM');
    if (!platform.includes('$')) {
      try {
        parsePlatform(platform);
      } catch (err) {
        if (!isOcibakeError(err)) throw err;
        throw new ParseProblem(`--platform: ${err.message}`, err.hint, 'OCIBAKE_INVALID_PLATFORM');
      }
    }
    from.platform = platform;
  }
  if (words.length === 3) {
    const name = words[2]!.toLowerCase();
    if (!STAGE_NAME.test(name)) {
      throw new ParseProblem(`invalid name for build stage: ${JSON.stringify(words[2])}, name can't start with a number or contain symbols`);
    }
    if (name === 'scratch' || name === 'context') throw new ParseProblem(`${JSON.stringify(name)} is a reserved name and can't be used as a stage name`);
    from.stageName = name;
  }
  return from;
}

function commandForm(kind: string, rest: string): CommandForm {
  const argv = jsonArray(rest);
  if (argv !== undefined) return { form: 'exec', argv };
  if (looksLikeBrokenJson(rest)) {
    throw new ParseProblem(`${kind} argument starts like a JSON array but is not valid JSON`, 'exec form needs double quotes and commas: ["executable", "arg"]');
  }
  return { form: 'shell', text: rest };
}

const NETWORKS = ['default', 'none', 'host'] as const;
const SECURITY = ['sandbox', 'insecure'] as const;

function runInstruction(base: BaseFields, flags: ParsedFlags, line: LogicalLine): RunInstruction {
  if (flags.rest === '') throw new ParseProblem('RUN requires at least one argument');
  const run: RunInstruction = {
    kind: 'RUN', ...base,
    command: commandForm('RUN', flags.rest),
    mounts: (flags.multi.get('mount') ?? []).map(parseMount),
    heredocs: line.heredocs,
  };
  const network = flags.strings.get('network');
  if (network !== undefined) {
    if (!(NETWORKS as readonly string[]).includes(network)) throw new ParseProblem(`unsupported --network=${network}`, 'use default, none or host');
    run.network = network as RunInstruction['network'] & string;
  }
  const security = flags.strings.get('security');
  if (security !== undefined) {
    if (!(SECURITY as readonly string[]).includes(security)) throw new ParseProblem(`unsupported --security=${security}`, 'use sandbox or insecure');
    run.security = security as RunInstruction['security'] & string;
  }
  return run;
}

const CHMOD = /^([0-7]{3,4}|\$.*|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/;

function copyInstruction(kind: 'COPY' | 'ADD', base: BaseFields, flags: ParsedFlags, line: LogicalLine, esc: string): Instruction {
  const words = listArgs(flags.rest, esc);
  const heredocNames = new Set(line.heredocs.map((h) => h.name));
  const isMarker = (w: string): boolean => line.heredocs.length > 0 && w.startsWith('<<') && heredocNames.has(w.replace(/^<<-?/, '').replace(/['"]/g, ''));
  if (words.length < 2) {
    throw new ParseProblem(`${kind} requires at least two arguments, but only ${words.length} was provided. Destination could not be determined`, `write ${kind} <src>... <dest>`);
  }
  const dest = words[words.length - 1]!;
  const sources = words.slice(0, -1).filter((w) => !isMarker(w));
  const chmod = flags.strings.get('chmod');
  if (chmod !== undefined && !CHMOD.test(chmod)) throw new ParseProblem(`invalid --chmod=${chmod}`, 'use an octal mode such as 0755 or a symbolic one such as u+x');
  // Built field by field, not with object spread: spreading here made COPY parse 15x slower than
  // other instructions in the 5,000-line benchmark (V8 object-clone slow path).
  const link = flags.bools.get('link') ?? false;
  const exclude = flags.multi.get('exclude') ?? [];
  const chown = flags.strings.get('chown');
  if (kind === 'COPY') {
    const copy: CopyInstruction = { kind, range: base.range, text: base.text, sources, dest, link, exclude, heredocs: line.heredocs, parents: flags.bools.get('parents') ?? false };
    const from = flags.strings.get('from');
    if (from !== undefined) {
      if (from === '') throw new ParseProblem('--from needs a stage name, index or image');
      copy.from = from;
    }
    if (chown !== undefined) copy.chown = chown;
    if (chmod !== undefined) copy.chmod = chmod;
    return copy;
  }
  const add: AddInstruction = { kind, range: base.range, text: base.text, sources, dest, link, exclude, heredocs: line.heredocs, keepGitDir: flags.bools.get('keep-git-dir') ?? false };
  if (chown !== undefined) add.chown = chown;
  if (chmod !== undefined) add.chmod = chmod;
  const checksum = flags.strings.get('checksum');
  if (checksum !== undefined) {
    if (!/^(sha256|sha384|sha512):[0-9a-f]+$|^\$/.test(checksum)) throw new ParseProblem(`invalid --checksum=${checksum}`, 'write --checksum=sha256:<hex>');
    add.checksum = checksum;
  }
  return add;
}

function healthcheck(base: BaseFields, flags: ParsedFlags, rest: string, esc: string): HealthcheckInstruction {
  const words = rawWords(rest, esc);
  const type = (words[0] ?? '').toUpperCase();
  if (type === 'NONE') {
    if (words.length > 1 || flags.strings.size > 0) throw new ParseProblem('HEALTHCHECK NONE takes no other arguments');
    return { kind: 'HEALTHCHECK', ...base, test: 'none' };
  }
  if (type !== 'CMD') throw new ParseProblem(`unknown type ${JSON.stringify(words[0] ?? '')} in HEALTHCHECK (try CMD)`);
  const cmd = rest.replace(/^\S+\s*/, '');
  if (cmd === '') throw new ParseProblem('HEALTHCHECK CMD requires a command');
  const hc: HealthcheckInstruction = { kind: 'HEALTHCHECK', ...base, test: commandForm('HEALTHCHECK', cmd) };
  for (const [flag, field] of [['interval', 'interval'], ['timeout', 'timeout'], ['start-period', 'startPeriod'], ['start-interval', 'startInterval']] as const) {
    const v = flags.strings.get(flag);
    if (v === undefined) continue;
    const ns = parseDuration(v);
    if (ns === undefined) throw new ParseProblem(`--${flag}: invalid duration ${JSON.stringify(v)}`, 'use Go durations such as 30s, 1m30s, 500ms');
    hc[field] = ns;
  }
  const retries = flags.strings.get('retries');
  if (retries !== undefined) {
    if (!/^\d+$/.test(retries)) throw new ParseProblem(`--retries: ${JSON.stringify(retries)} is not a whole number`);
    hc.retries = Number(retries);
  }
  return hc;
}
