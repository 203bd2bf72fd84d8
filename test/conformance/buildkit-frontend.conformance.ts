// BuildKit's own Dockerfile-frontend test data run against ocibake's parser, shell lexer,
// instruction layer and .dockerignore matcher. Run with `npm run test:conformance`; it fails (never
// skips) when the data is missing. The data: ../shared/fixtures/buildkit or $OCIBAKE_BUILDKIT_FIXTURES.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Fixtures, type Case } from './buildkit/fixtures.js';
import { parserCases } from './buildkit/parser-cases.js';
import { shellCases } from './buildkit/shell-cases.js';
import { tableParserCases } from './buildkit/table-parser-cases.js';
import { tableInstructionCases } from './buildkit/table-instruction-cases.js';
import { ignoreCases } from './buildkit/ignore-cases.js';
import { KNOWN_FAILURES } from './buildkit/known-failures.js';
import type { Tables } from './buildkit/tables.js';

const REQUIRED_PASS_RATE = 0.99;

function allCases(): Case[] {
  const fx = new Fixtures();
  const tables = fx.json('moby-buildkit/tables.json') as Tables;
  return [...parserCases(fx), ...shellCases(fx), ...tableParserCases(fx, tables), ...tableInstructionCases(tables), ...ignoreCases(fx)];
}

test('BuildKit frontend conformance', () => {
  const cases = allCases();
  const failures = new Map<string, string>();
  const groups = new Map<string, { pass: number; total: number }>();
  for (const c of cases) {
    const g = groups.get(c.group) ?? { pass: 0, total: 0 };
    g.total++;
    try {
      c.run();
      g.pass++;
    } catch (err) {
      failures.set(c.id, err instanceof Error ? err.message.split('\n').slice(0, 6).join('\n') : String(err));
    }
    groups.set(c.group, g);
  }
  for (const [name, g] of groups) console.log(`  ${name.padEnd(28)} ${g.pass}/${g.total}`);
  const passed = cases.length - failures.size;
  console.log(`BuildKit conformance: ${passed} of ${cases.length} pass (${((100 * passed) / cases.length).toFixed(1)}%)`);
  const unexpected = [...failures].filter(([id]) => !(id in KNOWN_FAILURES));
  for (const [id, why] of unexpected) console.log(`FAIL ${id}\n    ${why.replace(/\n/g, '\n    ')}`);
  for (const [id, reason] of Object.entries(KNOWN_FAILURES)) if (failures.has(id)) console.log(`known failure ${id}: ${reason}`);
  const fixed = Object.keys(KNOWN_FAILURES).filter((id) => !failures.has(id));
  assert.deepEqual(fixed, [], 'these known failures pass now: remove them from known-failures.ts');
  assert.deepEqual(
    unexpected.map(([id]) => id),
    [],
    'cases fail that are not listed in known-failures.ts',
  );
  assert.ok(passed / cases.length >= REQUIRED_PASS_RATE, `${passed}/${cases.length} is below ${REQUIRED_PASS_RATE * 100}%`);
});
