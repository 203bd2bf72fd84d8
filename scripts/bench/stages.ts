// Benchmark of host-stage execution: the Go example for 2 and 7 platforms with a cold
// cache (empty stage cache and empty Go build cache), then a warm rebuild with no changes.
// Also the middle case: empty stage cache but a warm Go build cache (a CI runner that keeps
// GOCACHE). Prints timings and the warm/cold ratio. Usage: node dist/scripts/bench/stages.js
import { CacheLayout } from '../../lib/cache/layout.js';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDockerfile } from '../../lib/dockerfile/parser.js';
import { planBuild } from '../../lib/plan/plan.js';
import { hostPlatform, parsePlatform } from '../../lib/oci/platform.js';
import { runHostStages } from '../../lib/exec/run-host-stages.js';

const example = fileURLToPath(new URL('../../../examples/go', import.meta.url));
const dockerfile = join(example, 'Dockerfile');
const sets: Record<string, string[]> = {
  '2 platforms': ['linux/amd64', 'linux/arm64'],
  '7 platforms': ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64', 'linux/ppc64le', 'linux/s390x', 'linux/386'],
};

async function timed(platforms: string[], cacheDir: string, toolCacheDir: string, workDir: string): Promise<{ ms: number; runs: number }> {
  const t0 = performance.now();
  const plan = planBuild(parseDockerfile(readFileSync(dockerfile, 'utf8'), dockerfile), {
    platforms: platforms.map(parsePlatform),
    buildPlatform: hostPlatform(),
  });
  let runs = 0;
  await runHostStages(plan, {
    contextDir: example,
    dockerfilePath: dockerfile,
    workDir,
    cache: new CacheLayout(cacheDir),
    toolCacheDir,
    onEvent: (e) => {
      if (e.type === 'stage' && e.state === 'start') runs++;
    },
  });
  return { ms: performance.now() - t0, runs };
}

const root = mkdtempSync(join(tmpdir(), 'ocibake-bench-stages-'));
try {
  console.log('case          | cold (empty caches) | cold stages, warm GOCACHE | warm (no changes) | warm/cold');
  for (const [name, platforms] of Object.entries(sets)) {
    const base = join(root, name.replace(/\W+/g, '-'));
    const tools = join(base, 'tools');
    const cold = await timed(platforms, join(base, 'cache1'), tools, join(base, 'w1'));
    const mid = await timed(platforms, join(base, 'cache2'), tools, join(base, 'w2'));
    const warm = await timed(platforms, join(base, 'cache2'), tools, join(base, 'w3'));
    if (warm.runs !== 0) throw new Error(`warm rebuild ran ${warm.runs} stages`);
    const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`.padStart(8);
    console.log(`${name.padEnd(13)} | ${s(cold.ms).padEnd(19)} | ${s(mid.ms).padEnd(25)} | ${s(warm.ms).padEnd(17)} | ${(warm.ms / cold.ms).toFixed(4)}`);
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
