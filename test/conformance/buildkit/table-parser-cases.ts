// tables.json, parser part: heredoc extraction, JSON arrays, line numbers, warnings, scanner errors.
import assert from 'node:assert/strict';
import { parseAst } from '../../../lib/dockerfile/ast/parse.js';
import { jsonStrings } from '../../../lib/dockerfile/ast/line-parsers.js';
import type { Case, Fixtures } from './fixtures.js';
import type { Tables } from './tables.js';

/** `tableParserCases` lists the heredoc, json and misc cases of tables.json. */
export function tableParserCases(fx: Fixtures, tables: Tables): Case[] {
  const out: Case[] = [];
  tables.heredoc.forEach((c, i) => {
    out.push({
      id: `tables/heredoc#${i} ${c.source}`,
      group: 'tables heredoc',
      run: () => {
        const { ast } = parseAst(c.dockerfile, 'Dockerfile');
        // The instruction under test is the first one after the FROM/ENV preamble.
        const node = ast.children.find((n, k) => k > 0 && !/^(from|env)$/i.test(n.keyword));
        assert.ok(node, 'no instruction under test');
        if (c.names !== undefined) {
          assert.deepEqual(
            node.heredocs.map((h) => h.name),
            c.names,
          );
          return;
        }
        const got = node.heredocs.map((h) => ({ name: h.name, content: h.content, expand: h.expand, chomp: h.chomp, fd: h.fileDescriptor }));
        assert.deepEqual(got, c.heredocs ?? []);
      },
    });
  });
  tables.json.forEach((c, i) => {
    out.push({
      id: `tables/json#${i} ${c.json}`,
      group: 'tables json',
      run: () => {
        if (c.error !== undefined) {
          assert.throws(
            () => jsonStrings(c.json),
            (e: unknown) => e instanceof Error && e.message.includes(c.error!),
          );
          return;
        }
        assert.deepEqual(jsonStrings(c.json), c.argv);
      },
    });
  });
  tables.misc.forEach((c, i) => {
    out.push({
      id: `tables/misc#${i} ${c.source}`,
      group: 'tables misc',
      run: () => {
        const text = c.file !== undefined ? fx.text(c.file) : (c.dockerfile ?? '');
        if (c.error !== undefined) {
          assert.throws(
            () => parseAst(text, 'Dockerfile'),
            (e: unknown) => e instanceof Error && e.message.includes(c.error!),
          );
          return;
        }
        const { ast } = parseAst(text, 'Dockerfile');
        if (c.lines !== undefined)
          assert.deepEqual(
            ast.children.map((n) => [n.startLine, n.endLine]),
            c.lines,
          );
        if (c.warnedInstructions !== undefined) assert.deepEqual([...new Set(ast.emptyContinuations.map((e) => e.text))], c.warnedInstructions);
      },
    });
  });
  return out;
}
