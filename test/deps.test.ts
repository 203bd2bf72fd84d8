// Import-direction check (after ggcr's depcheck): the architecture in ARCHITECTURE.md §2.2 is
// enforced here, so an import that crosses a forbidden edge fails the suite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const rel = join(dir, name);
    if (statSync(join(root, rel)).isDirectory()) out.push(...sources(rel));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function imports(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs: string[] = [];
  for (const m of text.matchAll(/(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    specs.push((m[1] ?? m[2])!);
  }
  return specs;
}

/** Where a relative import points, as a repo-relative path without extension. */
function target(file: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  return relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '');
}

type Rule = { from: RegExp; allow: RegExp[]; why: string };
const rules: Rule[] = [
  { from: /^cli\//, allow: [/^cli\//, /^lib\/index$/], why: 'cli imports only lib/index.ts' },
  { from: /^registry\//, allow: [/^registry\//, /^lib\/oci\//, /^lib\/errors$/], why: 'registry knows only the leaf model' },
  { from: /^lib\/(oci\/|errors)/, allow: [/^lib\/oci\//, /^lib\/errors$/], why: 'the leaf model imports nothing of the project' },
  { from: /^lib\/dockerfile\//, allow: [/^lib\/dockerfile\//, /^lib\/oci\//, /^lib\/errors$/], why: 'the frontend knows only the leaf model' },
  { from: /^lib\//, allow: [/^lib\//, /^registry\/index$/], why: 'lib reaches registry only through registry/index.ts' },
];

test('imports follow the architecture (cli → lib → registry → leaf model)', () => {
  const violations: string[] = [];
  for (const dir of ['cli', 'lib', 'registry']) {
    for (const file of sources(dir)) {
      const rule = rules.find((r) => r.from.test(file));
      if (!rule) continue;
      for (const spec of imports(file)) {
        const t = target(file, spec);
        if (t === undefined) continue;
        if (!rule.allow.some((a) => a.test(t))) violations.push(`${file} imports ${spec} (${rule.why})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});
