import { chompHeredoc, parseHeredocWord } from '../ast/heredoc.js';
import type { InstructionNode } from '../ast/node.js';
import type { AddInstruction, CopyInstruction, Heredoc } from '../instructions.js';
import { argErrors, baseFields, flagsOf } from './common.js';
import { syntax } from './instruction-error.js';

const CHMOD = /^([0-7]{3,4}|\$.*|[ugoa]*[-+=][rwxXst]*(,[ugoa]*[-+=][rwxXst]*)*)$/;

const BARE_MARKER = /^\d*<<-?$/;

/**
 * `COPY << EOF /dst` splits into the words `<<` and `EOF`. BuildKit's parser reads the heredoc body
 * for it, but its COPY then takes `<<` and `EOF` as two source paths and fails; ocibake joins such a
 * bare `<<` with the word after it, which is what the line says.
 */
function joinSpacedMarkers(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if (next !== undefined && (w.endsWith('<<') || w.endsWith('<<-')) && BARE_MARKER.test(w) && markerOf(`${w}${next}`) !== undefined) {
      out.push(`${w}${next}`);
      i++;
    } else out.push(w);
  }
  return out;
}

function markerOf(word: string): ReturnType<typeof parseHeredocWord> {
  if (!word.includes('<<')) return undefined;
  try {
    return parseHeredocWord(word);
  } catch {
    return undefined;
  }
}

/**
 * `buildCopy` types COPY and ADD (BuildKit's `parseSourcesAndDest`): the last word is the
 * destination and may not be a heredoc; a `<<NAME` source becomes an inline file (in `heredocs`,
 * chomped for `<<-`), every other word a source path. Words are expanded later, by the planner.
 */
export function buildCopy(kind: 'COPY' | 'ADD', node: InstructionNode): CopyInstruction | AddInstruction {
  if (node.args.length < 2) throw argErrors.noDestination(kind);
  const flags = flagsOf(node, kind);
  const dest = node.args[node.args.length - 1]!;
  if (markerOf(dest) !== undefined) throw syntax(`${kind} cannot accept a heredoc as a destination`);
  const bodies = new Map(node.heredocs.map((h) => [h.name, h]));
  const sources: string[] = [];
  const heredocs: Heredoc[] = [];
  const words = node.args.slice(0, -1);
  for (const src of node.heredocs.length > 0 || node.original.includes('<<') ? joinSpacedMarkers(words) : words) {
    const marker = markerOf(src);
    if (marker === undefined) {
      sources.push(src);
      continue;
    }
    const body = bodies.get(marker.name)?.content ?? '';
    const doc: Heredoc = { name: marker.name, content: marker.chomp ? chompHeredoc(body) : body, quoted: !marker.expand, chomp: marker.chomp };
    if (marker.fileDescriptor !== 0) doc.fd = marker.fileDescriptor;
    heredocs.push(doc);
  }
  const chmod = flags.strings.get('chmod');
  if (chmod !== undefined && !CHMOD.test(chmod)) throw syntax(`invalid --chmod=${chmod}`, 'use an octal mode such as 0755 or a symbolic one such as u+x');
  // Built field by field, not with object spread: spreading here made COPY parse several times
  // slower than other instructions in the 5,000-line benchmark (V8 object-clone slow path).
  const base = baseFields(node);
  const link = flags.bools.get('link') ?? false;
  const exclude = [...(flags.multi.get('exclude') ?? [])];
  const chown = flags.strings.get('chown');
  if (kind === 'COPY') {
    const copy: CopyInstruction = {
      kind,
      range: base.range,
      text: base.text,
      sources,
      dest,
      link,
      exclude,
      heredocs,
      parents: flags.bools.get('parents') ?? false,
    };
    const from = flags.strings.get('from');
    if (from !== undefined) {
      if (from === '') throw syntax('--from needs a stage name, index or image');
      copy.from = from;
    }
    if (chown !== undefined) copy.chown = chown;
    if (chmod !== undefined) copy.chmod = chmod;
    return copy;
  }
  const add: AddInstruction = {
    kind,
    range: base.range,
    text: base.text,
    sources,
    dest,
    link,
    exclude,
    heredocs,
    keepGitDir: flags.bools.get('keep-git-dir') ?? false,
  };
  if (chown !== undefined) add.chown = chown;
  if (chmod !== undefined) add.chmod = chmod;
  const checksum = flags.strings.get('checksum');
  if (checksum !== undefined) {
    if (!/^(sha256|sha384|sha512):[0-9a-f]+$|^\$/.test(checksum)) throw syntax(`invalid --checksum=${checksum}`, 'write --checksum=sha256:<hex>');
    add.checksum = checksum;
  }
  return add;
}
