// Import-direction check (after ggcr's depcheck): the architecture in docs/architecture.md is
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

/** Leaves: the OCI model, errors and I/O primitives import only node (and each other). */
const LEAF = [/^lib\/oci\//, /^lib\/errors$/, /^lib\/io\//];
const REGISTRY = /^registry\/index$/;
const folder = (...names: string[]): RegExp[] => names.map((n) => new RegExp(`^lib/${n}(/|$)`));

type Rule = { from: RegExp; allow: RegExp[]; why: string };
const rules: Rule[] = [
  { from: /^cli\//, allow: [/^cli\//, /^lib\/index$/], why: 'cli imports only lib/index.ts' },
  { from: /^registry\//, allow: [/^registry\//, ...LEAF], why: 'registry knows only the leaf model' },
  { from: /^lib\/(oci\/|errors|io\/)/, allow: LEAF, why: 'the leaves import nothing of the project' },
  { from: /^lib\/dockerfile\//, allow: [...folder('dockerfile'), ...LEAF], why: 'the frontend knows only the leaf model' },
  { from: /^lib\/plan\//, allow: [...folder('plan', 'dockerfile'), ...LEAF], why: 'the planner reads the frontend only' },
  { from: /^lib\/(store|cache)\//, allow: [...folder('store', 'cache'), ...LEAF], why: 'stores are a floor of their own' },
  { from: /^lib\/layer\//, allow: [...folder('layer'), ...LEAF], why: 'the layer writer knows only the leaf model' },
  { from: /^lib\/image\//, allow: [...folder('image', 'layer', 'store'), ...LEAF], why: 'images are data over stores' },
  {
    from: /^lib\/context\//,
    allow: [...folder('context', 'dockerfile'), /^lib\/layer\/tar-reader$/, ...LEAF],
    why: 'the build context knows COPY semantics only (and reads ADD archives with the one tar reader)',
  },
  { from: /^lib\/progress$/, allow: LEAF, why: 'progress events are plain data' },
  { from: /^lib\/connect\//, allow: [...folder('connect'), ...LEAF, REGISTRY], why: 'connect only builds a registry client' },
  { from: /^lib\/bases\//, allow: [...folder('bases', 'image', 'store', 'layer'), ...LEAF, REGISTRY], why: 'base resolution reads images from stores' },
  {
    from: /^lib\/output\//,
    allow: [...folder('output', 'image', 'store', 'layer', 'progress'), ...LEAF, REGISTRY],
    why: 'publishers write results; they never build',
  },
  {
    from: /^lib\/verbs\//,
    allow: [...folder('verbs', 'output', 'bases', 'image', 'store', 'layer', 'progress'), ...LEAF, REGISTRY],
    why: 'verbs compose stores and publishers',
  },
  {
    from: /^lib\/snapshot\//,
    allow: [...folder('snapshot', 'layer'), /^lib\/context\/scoped-path$/, ...LEAF],
    why: 'snapshots are layers on disk; they borrow only scoped path resolution',
  },
  { from: /^lib\/sandbox\//, allow: [...folder('sandbox'), ...LEAF], why: 'the sandbox only starts processes in namespaces' },
  {
    from: /^lib\/step-cache\/cache-export$/,
    allow: [...folder('step-cache', 'output', 'store', 'image', 'progress'), ...LEAF, REGISTRY],
    why: 'exporting the step cache publishes an artifact',
  },
  {
    from: /^lib\/step-cache\//,
    allow: [...folder('step-cache', 'store', 'progress'), ...LEAF, REGISTRY],
    why: 'the shared step cache reads artifacts from registries and layouts; it never runs steps',
  },
  {
    from: /^lib\/stages\//,
    allow: [
      ...folder('stages', 'snapshot', 'sandbox', 'exec', 'plan', 'dockerfile', 'context', 'layer', 'store', 'image', 'assemble', 'bases', 'progress', 'cache'),
      /^lib\/step-cache\/(cache-artifact|cache-import)$/,
      ...LEAF,
    ],
    why: 'the stage runner runs plans in images; it never publishes',
  },
  {
    from: /^lib\/exec\//,
    allow: [...folder('exec', 'plan', 'dockerfile', 'context', 'cache', 'layer', 'store', 'progress'), ...LEAF],
    why: 'the executor runs plans; it never publishes',
  },
  {
    from: /^lib\/assemble\//,
    allow: [
      ...folder('assemble', 'plan', 'dockerfile', 'context', 'bases', 'image', 'layer', 'store', 'progress', 'cache'),
      /^lib\/output\/publisher$/,
      ...LEAF,
      REGISTRY,
    ],
    why: 'assembly turns stages into images; it never publishes',
  },
  { from: /^lib\/bake\//, allow: [/^lib\//, REGISTRY], why: 'bake is the top floor' },
  { from: /^lib\/index$/, allow: [/^lib\//, REGISTRY], why: 'the public API re-exports lib' },
];

test('imports follow the architecture (cli → lib → registry → leaf model)', () => {
  const violations: string[] = [];
  for (const dir of ['cli', 'lib', 'registry']) {
    for (const file of sources(dir)) {
      const rel = file.replace(/\.ts$/, '');
      const rule = rules.find((r) => r.from.test(rel));
      if (!rule) {
        violations.push(`${file} is in no folder the architecture knows (add a rule)`);
        continue;
      }
      for (const spec of imports(file)) {
        const t = target(file, spec);
        if (t === undefined) continue;
        if (!rule.allow.some((a) => a.test(t))) violations.push(`${file} imports ${spec} (${rule.why})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test('lib folders import each other without cycles', () => {
  const folderOf = (p: string): string => p.replace(/^lib\//, '').split('/')[0]!;
  const edges = new Map<string, Set<string>>();
  for (const file of sources('lib')) {
    const from = folderOf(file.replace(/\.ts$/, ''));
    for (const spec of imports(file)) {
      const t = target(file, spec);
      if (!t?.startsWith('lib/')) continue;
      const to = folderOf(t);
      if (to !== from) (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
  }
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string, path: string[]): void => {
    if (state.get(n) === 'done') return;
    if (state.get(n) === 'open') {
      cycles.push([...path.slice(path.indexOf(n)), n].join(' → '));
      return;
    }
    state.set(n, 'open');
    for (const m of edges.get(n) ?? []) visit(m, [...path, n]);
    state.set(n, 'done');
  };
  for (const n of edges.keys()) visit(n, []);
  assert.deepEqual(cycles, []);
});
