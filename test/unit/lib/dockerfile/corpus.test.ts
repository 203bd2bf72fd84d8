// Golden corpus: every test/fixtures/dockerfiles/<case>/Dockerfile parses and plans to exactly its
// reviewed expected.json (see scripts/gen-fixtures/dockerfile-goldens.ts for how goldens are made).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerfileGolden, readCaseOptions } from '../../../../scripts/gen-fixtures/dockerfile-golden.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', '..');
const corpus = join(root, 'test', 'fixtures', 'dockerfiles');
const cases = readdirSync(corpus)
  .filter((n) => existsSync(join(corpus, n, 'Dockerfile')))
  .sort();

test('the corpus has at least 40 Dockerfiles, each with a golden', () => {
  assert.ok(cases.length >= 40, `only ${cases.length} cases`);
  const missing = cases.filter((n) => !existsSync(join(corpus, n, 'expected.json')));
  assert.deepEqual(missing, [], 'run node dist/scripts/gen-fixtures/dockerfile-goldens.js and review the output');
});

for (const name of cases) {
  test(`corpus ${name}`, () => {
    const dir = join(corpus, name);
    const want: unknown = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));
    const got = JSON.parse(JSON.stringify(dockerfileGolden(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile', readCaseOptions(dir)))) as unknown;
    assert.deepEqual(got, want);
  });
}
