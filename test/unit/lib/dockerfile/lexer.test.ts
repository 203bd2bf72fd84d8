import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heredocMarkers, lex, rawWords } from '../../../../lib/dockerfile/lexer.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';

const summary = (text: string): [string, string, number, number][] =>
  lex(text, 'Dockerfile').lines.map((l) => [l.keyword, l.args, l.startLine, l.endLine]);

test('lex joins continuations, drops comments and blank lines, keeps line numbers', () => {
  const text = ['# a comment', '', 'FROM alpine', 'RUN apk add \\', '    # comment inside', '    curl \\', '    git', '', 'CMD ["sh"]'].join('\n');
  assert.deepEqual(summary(text), [
    ['FROM', 'alpine', 3, 3],
    ['RUN', 'apk add     curl     git', 4, 7],
    ['CMD', '["sh"]', 9, 9],
  ]);
});

test('lex allows trailing blanks after the continuation character and CRLF files', () => {
  assert.deepEqual(summary('FROM a\r\nRUN x \\  \r\n  y\r\n'), [
    ['FROM', 'a', 1, 1],
    ['RUN', 'x   y', 2, 3],
  ]);
});

test('lex warns on empty continuation lines', () => {
  const r = lex('FROM a\nRUN x \\\n\n  y\n', 'Dockerfile');
  assert.equal(r.lines[1]!.args, 'x   y');
  assert.equal(r.warnings.length, 1);
  assert.equal(r.warnings[0]!.line, 3);
});

test('lex honours # escape=` (Windows style)', () => {
  const r = lex('# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir C:\\ `\n  && echo done\n', 'Dockerfile');
  assert.equal(r.directives.escape, '`');
  assert.equal(r.lines[1]!.args, 'dir C:\\   && echo done');
});

test('lex reads # syntax= and stops directives at the first other line', () => {
  const r = lex('# syntax=docker/dockerfile:1.7\n# escape=\\\nFROM a\n', 'Dockerfile');
  assert.equal(r.directives.syntax, 'docker/dockerfile:1.7');
  const late = lex('FROM a\n# escape=`\nRUN x `\n', 'Dockerfile');
  assert.equal(late.directives.escape, '\\', 'a directive after an instruction is a comment');
  const unknown = lex('# foo=bar\n# escape=`\nFROM a\n', 'Dockerfile');
  assert.equal(unknown.directives.escape, '\\', 'an unknown directive ends the directive block');
});

test('lex rejects a bad escape directive and duplicated directives', () => {
  assert.throws(() => lex('# escape=x\nFROM a\n', 'Dockerfile'), (e: unknown) => e instanceof DockerfileError && e.line === 1 && /invalid escape token/.test(e.message));
  assert.throws(() => lex('# escape=`\n# escape=\\\nFROM a\n', 'Dockerfile'), (e: unknown) => e instanceof DockerfileError && e.line === 2);
});

test('lex reads heredocs: plain, <<-, quoted, multiple, empty', () => {
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
    'RUN <<EMPTY',
    'EMPTY',
    'RUN ["<<NOT"]',
    'RUN "<<NOTEITHER"',
    'RUN cat <<<herestring',
  ].join('\n');
  const lines = lex(text, 'Dockerfile').lines;
  assert.deepEqual(lines[1]!.heredocs, [{ name: 'EOF', content: 'echo $HOME\n  indented\n', quoted: false, chomp: false }]);
  assert.equal(lines[1]!.endLine, 5);
  assert.deepEqual(lines[2]!.heredocs, [{ name: 'EOT', content: 'echo tab\n', quoted: false, chomp: true }]);
  assert.deepEqual(lines[3]!.heredocs, [
    { name: 'one.txt', content: 'first\n', quoted: false, chomp: false },
    { name: 'two.txt', content: 'second $X\n', quoted: true, chomp: false },
  ]);
  assert.deepEqual(lines[4]!.heredocs, [{ name: 'EMPTY', content: '', quoted: false, chomp: false }]);
  assert.deepEqual(lines[5]!.heredocs, []);
  assert.deepEqual(lines[6]!.heredocs, []);
  assert.deepEqual(lines[7]!.heredocs, []);
  assert.equal(lines.length, 8);
});

test('lex rejects an unterminated heredoc at the instruction line', () => {
  assert.throws(
    () => lex('FROM a\nRUN <<EOF\necho hi\n', 'Dockerfile'),
    (e: unknown) => e instanceof DockerfileError && e.line === 2 && e.instruction === 'RUN' && /unterminated heredoc <<EOF/.test(e.message),
  );
});

test('lex rejects NUL bytes and overlong lines with the line number', () => {
  assert.throws(() => lex('FROM a\nRUN x\u0000y\n', 'Dockerfile'), (e: unknown) => e instanceof DockerfileError && e.line === 2);
  assert.throws(() => lex(`FROM a\n\nRUN ${'y'.repeat(2 << 20)}\n`, 'Dockerfile'), (e: unknown) => e instanceof DockerfileError && e.line === 3);
});

test('lex strips a UTF-8 BOM', () => {
  assert.equal(lex('\uFEFFFROM a\n', 'Dockerfile').lines[0]!.keyword, 'FROM');
});

test('heredocMarkers and rawWords follow shell words', () => {
  assert.deepEqual(heredocMarkers("python3 <<'PY' > /out", '\\'), [{ name: 'PY', quoted: true, chomp: false }]);
  assert.deepEqual(heredocMarkers('cat<<EOF', '\\'), []);
  assert.deepEqual(rawWords(`a "b c" 'd e' f\\ g`, '\\'), ['a', '"b c"', "'d e'", 'f\\ g']);
});

test('regression (fuzz seed 20261125 #2049): a line holding only the continuation character', () => {
  assert.deepEqual(summary('FROM a\nRUN x \\\n \\\n    && y\n'), [
    ['FROM', 'a', 1, 1],
    ['RUN', 'x      && y', 2, 4],
  ]);
  assert.deepEqual(summary('FROM a\n \\\n    COPY . /\n'), [
    ['FROM', 'a', 1, 1],
    ['COPY', '. /', 2, 3],
  ]);
  assert.deepEqual(summary('FROM a\n\\\n'), [['FROM', 'a', 1, 1]]);
});
