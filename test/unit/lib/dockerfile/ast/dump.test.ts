import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAst } from '../../../../../lib/dockerfile/ast/parse.js';
import { dumpAst, goQuote } from '../../../../../lib/dockerfile/ast/dump.js';

test("dumpAst prints BuildKit's S-expressions", () => {
  const { ast } = parseAst('FROM a AS b\nCOPY --from=b x /y\nONBUILD RUN echo hi\nENV K v\n', 'Dockerfile');
  assert.equal(dumpAst(ast), '(from "a" "AS" "b")\n(copy ["--from=b"] "x" "/y")\n(onbuild (run "echo hi"))\n(env "K" "v" "")');
});

test("goQuote escapes as Go's strconv.Quote does", () => {
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote('\u0000\t\n\u007f'), '"\\x00\\t\\n\\x7f"');
  assert.equal(goQuote('♥ 안녕'), '"♥ 안녕"');
  assert.equal(goQuote('\u200b'), '"\\u200b"');
});
