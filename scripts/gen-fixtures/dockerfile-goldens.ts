// Writes test/fixtures/dockerfiles/<case>/expected.json for cases that have none (or all with
// --force). Goldens are reviewed by a person before they are committed: run, then read the diff.
// Usage: npm run build && node dist/scripts/gen-fixtures/dockerfile-goldens.js [--force] [case...]
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dockerfileGolden, readCaseOptions, stringifyGolden } from './dockerfile-golden.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const corpus = join(root, 'test', 'fixtures', 'dockerfiles');
const args = process.argv.slice(2);
const force = args.includes('--force');
const only = args.filter((a) => a !== '--force');
let written = 0;
for (const name of readdirSync(corpus).sort()) {
  const dir = join(corpus, name);
  if (!existsSync(join(dir, 'Dockerfile'))) continue;
  if (only.length > 0 && !only.includes(name)) continue;
  const out = join(dir, 'expected.json');
  if (existsSync(out) && !force) continue;
  const golden = dockerfileGolden(readFileSync(join(dir, 'Dockerfile'), 'utf8'), 'Dockerfile', readCaseOptions(dir));
  writeFileSync(out, `${stringifyGolden(golden)}\n`);
  written++;
  console.log(`wrote ${name}/expected.json`);
}
console.log(`${written} golden(s) written; review them with git diff before committing`);
