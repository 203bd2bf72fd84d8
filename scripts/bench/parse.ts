// Benchmark: parse (and plan) a generated 5,000-line Dockerfile; prints the median of several runs.
// Usage: npm run build && node dist/scripts/bench/parse.js [lines]
import { parseDockerfile, planBuild } from '../../lib/index.js';
import { generateDockerfile } from './parse-input.js';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const lines = Number(process.argv[2] ?? 5000);
const text = generateDockerfile(lines);
const actual = text.split('\n').length - 1;
for (let i = 0; i < 5; i++) parseDockerfile(text); // warm-up: JIT
const parseTimes: number[] = [];
const parseCpu: number[] = [];
const planTimes: number[] = [];
let stages = 0;
for (let i = 0; i < 25; i++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const df = parseDockerfile(text, 'Dockerfile');
  const t1 = performance.now();
  const c1 = process.cpuUsage(c0);
  parseCpu.push((c1.user + c1.system) / 1000);
  planBuild(df, {
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
    buildPlatform: { os: 'linux', architecture: 'amd64' },
    env: {},
  });
  const t2 = performance.now();
  parseTimes.push(t1 - t0);
  planTimes.push(t2 - t1);
  stages = df.stages.length;
}
console.log(
  `parse ${actual}-line Dockerfile (${stages} stages, ${(text.length / 1024).toFixed(0)} KiB): median ${median(parseTimes).toFixed(2)} ms (min ${Math.min(...parseTimes).toFixed(2)}, max ${Math.max(...parseTimes).toFixed(2)})`,
);
console.log(`parse CPU time: median ${median(parseCpu).toFixed(2)} ms (wall time on a shared machine includes waiting for a core)`);
console.log(`plan for linux/amd64+linux/arm64: median ${median(planTimes).toFixed(2)} ms`);
