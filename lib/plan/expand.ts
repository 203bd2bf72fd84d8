import type { Heredoc, Instruction, RunMount } from '../dockerfile/instructions.js';
import { expandWord, type Lookup } from '../dockerfile/expand.js';

/** `ExpandedInstruction` is an instruction with its words expanded, and the variables it read. */
export interface ExpandedInstruction {
  instruction: Instruction;
  used: string[];
}

/**
 * `expandInstruction` expands the words BuildKit expands, for one instruction, with `lookup`
 * giving the ENV-over-ARG value of each name:
 * ADD, COPY (sources, dest, --from, --chown, --chmod, --exclude, unquoted heredoc bodies), ENV and
 * LABEL (keys and values), EXPOSE, STOPSIGNAL, USER, VOLUME, WORKDIR, and RUN --mount fields.
 * RUN, CMD, ENTRYPOINT, SHELL, HEALTHCHECK and ONBUILD text is left alone: the shell (or the
 * stage that later triggers ONBUILD) expands it.
 *
 *     expandInstruction(workdirOf('$HOME/app'), (n) => n === 'HOME' ? '/root' : undefined).instruction.path // '/root/app'
 */
export function expandInstruction(ins: Instruction, lookup: Lookup, escape: string): ExpandedInstruction {
  const used = new Set<string>();
  const x = (word: string): string => {
    const r = expandWord(word, lookup, { escape });
    for (const u of r.used) used.add(u);
    return r.value;
  };
  const opt = <T extends object, K extends keyof T>(o: T, k: K): void => {
    const v = o[k];
    if (typeof v === 'string') (o as Record<K, unknown>)[k] = x(v);
  };
  const heredocs = (hs: Heredoc[]): Heredoc[] =>
    hs.map((h) => {
      if (h.quoted) return h;
      const r = expandWord(h.content, lookup, { escape, heredoc: true });
      for (const u of r.used) used.add(u);
      return { ...h, content: r.value };
    });
  let out: Instruction;
  switch (ins.kind) {
    case 'ENV':
    case 'LABEL':
      out = { ...ins, pairs: ins.pairs.map((p) => ({ key: x(p.key), value: x(p.value) })) };
      break;
    case 'WORKDIR':
      out = { ...ins, path: x(ins.path) };
      break;
    case 'USER':
      out = { ...ins, user: x(ins.user) };
      break;
    case 'STOPSIGNAL':
      out = { ...ins, signal: x(ins.signal) };
      break;
    case 'EXPOSE':
      out = { ...ins, ports: ins.ports.flatMap((p) => x(p).split(/\s+/).filter(Boolean)) };
      break;
    case 'VOLUME':
      out = { ...ins, paths: ins.paths.map(x) };
      break;
    case 'COPY':
    case 'ADD': {
      const c = { ...ins, sources: ins.sources.map(x), dest: x(ins.dest), exclude: ins.exclude.map(x), heredocs: heredocs(ins.heredocs) };
      opt(c, 'chown');
      opt(c, 'chmod');
      if (c.kind === 'COPY') opt(c, 'from');
      else opt(c, 'checksum');
      out = c;
      break;
    }
    case 'RUN':
      out = { ...ins, mounts: ins.mounts.map((m) => expandMount(m, x)) };
      break;
    default:
      out = ins;
  }
  return { instruction: out, used: [...used] };
}

function expandMount(m: RunMount, x: (w: string) => string): RunMount {
  const copy = { ...m } as Record<string, unknown>;
  for (const k of ['target', 'source', 'from', 'id', 'env']) {
    const v = copy[k];
    if (typeof v === 'string') copy[k] = x(v);
  }
  return copy as unknown as RunMount;
}
