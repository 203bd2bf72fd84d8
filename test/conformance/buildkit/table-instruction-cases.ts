// tables.json, instructions part: errors, HEALTHCHECK, RUN and COPY heredocs, mounts, BFlags.
import assert from 'node:assert/strict';
import { parseDockerfile, type ParsedDockerfile } from '../../../lib/dockerfile/parser.js';
import type { Instruction } from '../../../lib/dockerfile/instructions.js';
import { parseFlags } from '../../../lib/dockerfile/flags.js';
import type { Case } from './fixtures.js';
import type { InstructionCase, Tables } from './tables.js';

/** The last instruction of the file, typed, and its syntax-tree node. */
function last(df: ParsedDockerfile): { ins: Instruction; node: ParsedDockerfile['ast']['children'][number] } {
  const ins = df.stages[df.stages.length - 1]!.instructions.at(-1);
  const node = df.ast.children.at(-1);
  assert.ok(ins && node, 'no instruction after FROM');
  return { ins, node };
}

function check(c: InstructionCase): void {
  if (c.error !== undefined) {
    assert.throws(
      () => parseDockerfile(c.dockerfile, 'Dockerfile'),
      (e: unknown) => e instanceof Error && e.message.includes(c.error!),
    );
    return;
  }
  const df = parseDockerfile(c.dockerfile, 'Dockerfile');
  const { ins, node } = last(df);
  if (c.healthTest !== undefined) {
    assert.ok(ins.kind === 'HEALTHCHECK');
    const t = ins.test;
    assert.deepEqual(t === 'none' ? ['NONE'] : t.form === 'shell' ? ['CMD-SHELL', t.text] : ['CMD', ...t.argv], c.healthTest);
  }
  if (c.run !== undefined) {
    assert.ok(ins.kind === 'RUN');
    assert.equal(ins.command.form === 'shell', c.run.shell);
    assert.deepEqual(ins.command.form === 'shell' ? [ins.command.text] : ins.command.argv, c.run.command);
    // BuildKit's RunCommand.Files hold the raw bodies; the syntax tree keeps them (the typed form is chomped).
    assert.deepEqual(
      node.heredocs.map((h) => ({ name: h.name, data: h.content, chomp: h.chomp })),
      c.run.files,
    );
  }
  if (c.mounts !== undefined) {
    assert.ok(ins.kind === 'RUN');
    assert.deepEqual(
      ins.mounts.map((m) => ({ type: m.type, target: m.target })),
      c.mounts,
    );
  }
  if (c.copy !== undefined) {
    assert.ok(ins.kind === 'COPY');
    assert.equal(ins.dest, c.copy.dest);
    assert.deepEqual(ins.sources, c.copy.sourcePaths);
    assert.deepEqual(
      ins.heredocs.map((h) => ({ path: h.name, data: h.content, expand: !h.quoted })),
      c.copy.sourceContents,
    );
  }
}

/** `tableInstructionCases` lists the instructions and bflags cases of tables.json. */
export function tableInstructionCases(tables: Tables): Case[] {
  const out: Case[] = [];
  tables.instructions.forEach((c, i) => {
    out.push({ id: `tables/instructions#${i} ${c.source}`, group: 'tables instructions', run: () => check(c) });
  });
  tables.bflags.forEach((c, i) => {
    out.push({
      id: `tables/bflags#${i} ${JSON.stringify(c.args)}`,
      group: 'tables bflags',
      run: () => {
        const spec = { str1: 'string', bool1: 'bool' } as const;
        if (c.expect.error === true) {
          assert.throws(() => parseFlags(c.args, spec));
          return;
        }
        const f = parseFlags(c.args, spec);
        if (c.expect.str1 !== undefined) assert.equal(f.strings.get('str1'), c.expect.str1);
        if (c.expect.bool1 !== undefined) assert.equal(f.bools.get('bool1'), c.expect.bool1);
      },
    });
  });
  return out;
}
