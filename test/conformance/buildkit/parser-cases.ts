// BuildKit's parser golden files: parser/testfiles/*/{Dockerfile,result} (the Node.Dump() of the
// file, compared as BuildKit's TestParseCases does) and parser/testfiles-negative (Parse must fail).
import assert from 'node:assert/strict';
import { parseAst } from '../../../lib/dockerfile/ast/parse.js';
import { dumpAst } from '../../../lib/dockerfile/ast/dump.js';
import type { Case, Fixtures } from './fixtures.js';

const PARSER = 'moby-buildkit/frontend/dockerfile/parser';

/** `parserCases` lists one case per testfiles and testfiles-negative directory. */
export function parserCases(fx: Fixtures): Case[] {
  const out: Case[] = [];
  for (const name of fx.dirs(`${PARSER}/testfiles`)) {
    out.push({
      id: `parser/testfiles/${name}`,
      group: 'parser testfiles',
      run: () => {
        const want = fx.text(`${PARSER}/testfiles/${name}/result`);
        const { ast } = parseAst(fx.text(`${PARSER}/testfiles/${name}/Dockerfile`), 'Dockerfile');
        assert.equal(`${dumpAst(ast)}\n`, want);
      },
    });
  }
  for (const name of fx.dirs(`${PARSER}/testfiles-negative`)) {
    out.push({
      id: `parser/testfiles-negative/${name}`,
      group: 'parser testfiles-negative',
      run: () => {
        assert.throws(() => parseAst(fx.text(`${PARSER}/testfiles-negative/${name}/Dockerfile`), 'Dockerfile'));
      },
    });
  }
  return out;
}
