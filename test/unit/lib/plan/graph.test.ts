import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDockerfile } from '../../../../lib/dockerfile/parser.js';
import { DockerfileError } from '../../../../lib/dockerfile/errors.js';
import { mergeOrder, reachableStages } from '../../../../lib/plan/graph.js';
import type { DispatchContext } from '../../../../lib/plan/draft.js';
import { automaticArgs } from '../../../../lib/plan/scope.js';

const amd64 = { os: 'linux', architecture: 'amd64' };
function ctx(text: string): DispatchContext {
  const df = parseDockerfile(text);
  const automatic = automaticArgs(amd64, amd64);
  return {
    stages: df.stages,
    byName: new Map(df.stages.flatMap((s) => (s.name === undefined ? [] : [[s.name, s.index] as [string, number]]))),
    file: 'Dockerfile',
    lines: text.split('\n'),
    escape: '\\',
    target: amd64,
    build: amd64,
    automatic,
    buildArgs: new Map(),
    globals: new Map(automatic),
    drafts: new Map(),
    warnings: [],
  };
}

test('reachableStages returns dependencies first and skips unreachable stages', () => {
  const c = ctx('FROM a AS x\nFROM a AS unused\nFROM a AS y\nCOPY --from=z / /\nFROM x AS z\nFROM y\nCOPY --from=x / /\n');
  assert.deepEqual(reachableStages(c, 4), [0, 3, 2, 4]);
});

test('reachableStages names the loop in a cycle error', () => {
  const c = ctx('FROM a AS x\nCOPY --from=y / /\nFROM a AS y\nCOPY --from=z / /\nFROM a AS z\nCOPY --from=x / /\n');
  assert.throws(
    () => reachableStages(c, 2),
    (e: unknown) => e instanceof DockerfileError && e.line === 4 && /circular dependency detected on stage y: z → x → y → z/.test(e.message),
  );
});

test('mergeOrder keeps every stage after the stages it reads', () => {
  const edges = new Map([
    [3, new Set([1, 2])],
    [2, new Set([0])],
    [1, new Set<number>()],
    [0, new Set<number>()],
  ]);
  const order = mergeOrder(
    [
      [0, 2, 3],
      [1, 3],
    ],
    edges,
  );
  for (const [i, deps] of edges) for (const d of deps) assert.ok(order.indexOf(d) < order.indexOf(i), `${d} before ${i} in ${order}`);
  assert.deepEqual([...order].sort(), [0, 1, 2, 3]);
});

test('regression: 5,000 chained stages (FROM and COPY --from) plan without overflowing the stack', async () => {
  const { planBuild } = await import('../../../../lib/plan/plan.js');
  let fromChain = 'FROM alpine AS s0\n';
  let copyChain = 'FROM alpine AS s0\n';
  for (let i = 1; i < 5000; i++) {
    fromChain += `FROM s${i - 1} AS s${i}\n`;
    copyChain += `FROM alpine AS s${i}\nCOPY --from=s${i - 1} / /\n`;
  }
  for (const text of [fromChain, copyChain]) {
    const p = planBuild(parseDockerfile(text), { platforms: [amd64], buildPlatform: amd64, env: {} });
    assert.equal(p.instances.length, 5000);
    assert.equal(p.instances[0]!.key, 's0@linux/amd64');
  }
});
