import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { expandInstruction } from '../../../../lib/plan/expand.js';
import type { Instruction } from '../../../../lib/dockerfile/instructions.js';

const vars: Record<string, string> = { V: 'v1', DIR: '/opt', ID: 'cache-arm64' };
const lookup = (n: string): string | undefined => vars[n];
const ins = (line: string): Instruction => parseDockerfile(`FROM a\n${line}\n`).stages[0]!.instructions[0]!;
const x = (line: string): Instruction => expandInstruction(ins(line), lookup, '\\').instruction;

test('expandInstruction expands the words BuildKit expands', () => {
  // BuildKit splits COPY on blanks before expanding; a destination with a space needs the JSON form.
  const c = x('COPY --from=$V --chown=$V --exclude=$V.md ["app-$V", "$DIR/x y"]');
  assert.ok(c.kind === 'COPY');
  if (c.kind === 'COPY') assert.deepEqual([c.from, c.chown, c.exclude, c.sources, c.dest], ['v1', 'v1', ['v1.md'], ['app-v1'], '/opt/x y']);
  const a = x('ADD --checksum=$V https://e.com/$V.tgz $DIR/');
  assert.ok(a.kind === 'ADD' && a.checksum === 'v1' && a.sources[0] === 'https://e.com/v1.tgz' && a.dest === '/opt/');
  const r = x('RUN --mount=type=cache,id=$ID,target=$DIR/cache echo $V');
  assert.ok(r.kind === 'RUN');
  if (r.kind === 'RUN') {
    assert.deepEqual(r.mounts[0], { type: 'cache', target: '/opt/cache', readonly: false, id: 'cache-arm64' });
    assert.deepEqual(r.command, { form: 'shell', text: 'echo $V' });
  }
});

test('expandInstruction leaves CMD, ENTRYPOINT, SHELL, HEALTHCHECK, ONBUILD alone', () => {
  for (const line of ['CMD echo $V', 'ENTRYPOINT ["$V"]', 'SHELL ["/bin/$V"]', 'HEALTHCHECK CMD test $V', 'ONBUILD COPY $V /']) {
    assert.deepEqual(x(line), ins(line), line);
  }
});

test('expandInstruction reports the variables it read', () => {
  assert.deepEqual(expandInstruction(ins('WORKDIR $DIR/${SUB:-x}'), lookup, '\\').used.sort(), ['DIR', 'SUB']);
  assert.deepEqual(expandInstruction(ins('RUN echo $V'), lookup, '\\').used, []);
});
