import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAst } from '../../../../../lib/dockerfile/ast/parse.js';
import { DockerfileError } from '../../../../../lib/dockerfile/errors.js';

const summary = (text: string): [string, string[], number, number][] =>
  parseAst(text, 'Dockerfile').ast.children.map((n) => [n.keyword, [...n.args], n.startLine, n.endLine]);

test('parseAst joins continuations, drops comments and blank lines, keeps line numbers', () => {
  const text = ['# a comment', '', 'FROM alpine', 'RUN apk add \\', '    # comment inside', '    curl \\', '    git', '', 'CMD ["sh"]'].join('\n');
  assert.deepEqual(summary(text), [
    ['FROM', ['alpine'], 3, 3],
    ['RUN', ['apk add     curl     git'], 4, 7],
    ['CMD', ['sh'], 9, 9],
  ]);
});

test('parseAst allows trailing blanks after the continuation character and CRLF files', () => {
  assert.deepEqual(summary('FROM a\r\nRUN x \\  \r\n  y\r\n'), [
    ['FROM', ['a'], 1, 1],
    ['RUN', ['x   y'], 2, 3],
  ]);
});

test('an escaped escape at the end of a line does not continue it', () => {
  assert.deepEqual(summary('FROM a\nRUN echo a \\\\\nRUN echo b\n'), [
    ['FROM', ['a'], 1, 1],
    ['RUN', ['echo a \\\\'], 2, 2],
    ['RUN', ['echo b'], 3, 3],
  ]);
});

test('parseAst records empty continuation lines', () => {
  const { ast } = parseAst('FROM a\nRUN x \\\n\n  y\n', 'Dockerfile');
  assert.deepEqual(ast.children[1]!.args, ['x   y']);
  assert.deepEqual(ast.emptyContinuations, [{ line: 3, instructionEnd: 4, text: 'RUN x   y' }]);
});

test('parseAst honours # escape=` (Windows style)', () => {
  const { ast } = parseAst('# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n  && echo done\n', 'Dockerfile');
  assert.equal(ast.escape, '`');
  assert.deepEqual(ast.children[1]!.args, ['dir C:\\   && echo done']);
});

test('directives: # syntax=, # check=, and the block ends at the first other line', () => {
  const { ast } = parseAst('# syntax=docker/dockerfile:1.7\n# check=skip=JSONArgsRecommended\nFROM a\n', 'Dockerfile');
  assert.deepEqual(
    ast.directives.map((d) => [d.name, d.value, d.line]),
    [
      ['syntax', 'docker/dockerfile:1.7', 1],
      ['check', 'skip=JSONArgsRecommended', 2],
    ],
  );
  assert.equal(parseAst('FROM a\n# escape=`\nRUN x `\n', 'Dockerfile').ast.escape, '\\', 'a directive after an instruction is a comment');
  assert.equal(parseAst('# foo=bar\n# escape=`\nFROM a\n', 'Dockerfile').ast.escape, '\\', 'an unknown directive ends the directive block');
  assert.equal(parseAst('\n# escape=`\nFROM a\n', 'Dockerfile').ast.escape, '\\', 'so does a blank line');
});

test('parseAst rejects a bad escape directive and duplicated directives', () => {
  assert.throws(
    () => parseAst('# escape=x\nFROM a\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 1 && /invalid escape token/.test(e.message),
  );
  assert.throws(
    () => parseAst('# escape=`\n# escape=\\\nFROM a\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 2,
  );
});

test('parseAst reads heredocs: plain, <<-, quoted, spaced, fd, multiple, empty', () => {
  const text = [
    'FROM a',
    'RUN <<EOF',
    'echo $HOME',
    '  indented',
    'EOF',
    'RUN <<-EOT bash',
    '\techo tab',
    '\tEOT',
    'COPY <<one.txt <<"two.txt" /dst/',
    'first',
    'one.txt',
    'second $X',
    'two.txt',
    'RUN cat << EMPTY > /x',
    'EMPTY',
    'RUN 3<<IN cat <&3',
    'x',
    'IN',
    'RUN ["<<NOT"]',
    'RUN "<<NOTEITHER"',
    'RUN cat <<<herestring',
  ].join('\n');
  const nodes = parseAst(text, 'Dockerfile').ast.children;
  const docs = nodes.map((n) => n.heredocs.map((h) => [h.name, h.content, h.expand, h.chomp, h.fileDescriptor]));
  assert.deepEqual(docs, [
    [],
    [['EOF', 'echo $HOME\n  indented\n', true, false, 0]],
    [['EOT', '\techo tab\n', true, true, 0]],
    [
      ['one.txt', 'first\n', true, false, 0],
      ['two.txt', 'second $X\n', false, false, 0],
    ],
    [['EMPTY', '', true, false, 0]],
    [['IN', 'x\n', true, false, 3]],
    [],
    [],
    [],
  ]);
  assert.equal(nodes[1]!.endLine, 5);
});

test('parseAst rejects an unterminated heredoc at the instruction line', () => {
  assert.throws(
    () => parseAst('FROM a\nRUN <<EOF\necho hi\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 2 && e.instruction === 'RUN' && /unterminated heredoc <<EOF/.test(e.message),
  );
});

test('parseAst rejects NUL bytes, overlong lines and files without instructions', () => {
  assert.throws(
    () => parseAst('FROM a\nRUN x\u0000y\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 2,
  );
  assert.throws(
    () => parseAst(`FROM a\n\nRUN ${'y'.repeat(70_000)}\n`, 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 3 && /greater than max allowed size of 65535/.test(e.message),
  );
  assert.doesNotThrow(() => parseAst(`FROM a\nRUN ${'y'.repeat(65_000)}\n`, 'Dockerfile'));
  assert.throws(
    () => parseAst('# only\n\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && /no instructions/.test(e.message),
  );
});

test('parseAst strips a UTF-8 BOM and keeps the keyword as written', () => {
  assert.equal(parseAst('\uFEFFfrom a\n', 'Dockerfile').ast.children[0]!.keyword, 'from');
});

test('parseAst keeps the comments above an instruction, and ONBUILD triggers as nodes', () => {
  const { ast } = parseAst('FROM a\n# builds the app\n# with make\nRUN make\nONBUILD COPY --from=x . /\n', 'Dockerfile');
  assert.deepEqual(ast.children[1]!.comments, ['builds the app', 'with make']);
  const trigger = ast.children[2]!.trigger;
  assert.deepEqual([trigger?.keyword, trigger?.flags, trigger?.args], ['COPY', ['--from=x'], ['.', '/']]);
});

test('regression (fuzz seed 20261125 #2049): a line holding only the continuation character', () => {
  assert.deepEqual(summary('FROM a\nRUN x \\\n \\\n    && y\n'), [
    ['FROM', ['a'], 1, 1],
    ['RUN', ['x      && y'], 2, 4],
  ]);
  assert.deepEqual(summary('FROM a\n \\\n    COPY . /\n'), [
    ['FROM', ['a'], 1, 1],
    ['COPY', ['.', '/'], 2, 3],
  ]);
  assert.deepEqual(summary('FROM a\n\\\n'), [['FROM', ['a'], 1, 1]]);
});
