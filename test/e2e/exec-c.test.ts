// C cross-compiled with zig for four platforms runs under qemu; the seed's
// `COPY source /src` + `RUN gcc /src/main.c -o /app` works with absolute paths, and that
// TARGET-independent stage runs once for three platforms.
import { CacheLayout } from '../../lib/cache/layout.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHostStages } from '../../lib/exec/run-host-stages.js';
import { createExecutor } from '../../lib/exec/select-executor.js';
import type { ProgressEvent } from '../../lib/progress.js';
import { CountingExecutor } from '../unit/lib/exec/counting-executor.js';
import { instanceFor, planFile, runFor, toolCacheDir } from './exec-helpers.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/exec/c', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ocibake-e2e-c-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('C via zig: amd64, arm64, arm/v7, riscv64 binaries run and print their platform', async () => {
  const platforms = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64'];
  const plan = planFile(join(fixture, 'Dockerfile'), platforms);
  const out = await runHostStages(plan, {
    contextDir: fixture,
    dockerfilePath: join(fixture, 'Dockerfile'),
    workDir: join(dir, 'zw'),
    cache: new CacheLayout(join(dir, 'zc')),
    toolCacheDir,
    cCompiler: 'zig',
  });
  for (const p of platforms) {
    const app = join(out.get(instanceFor(plan, 'build', p))!.rootfs, 'app');
    assert.ok(!/\/lib(64)?\/ld-/.test(readFileSync(app).toString('latin1')), `${p}: statically linked (no ELF interpreter), so it runs on any base`);
    assert.equal(runFor(p, app).trim(), `platform ${p}`);
  }
});

test('COPY source /src + RUN gcc /src/main.c -o /app: absolute paths, one run for three platforms', async () => {
  const platforms = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
  const plan = planFile(join(fixture, 'Dockerfile.gcc'), platforms);
  const exec = new CountingExecutor(createExecutor('auto', () => undefined));
  const events: ProgressEvent[] = [];
  const out = await runHostStages(plan, {
    contextDir: fixture,
    dockerfilePath: join(fixture, 'Dockerfile.gcc'),
    workDir: join(dir, 'gw'),
    cache: new CacheLayout(join(dir, 'gc')),
    toolCacheDir,
    executor: exec,
    onEvent: (e) => events.push(e),
  });
  assert.equal(exec.name, 'namespace');
  assert.equal(exec.runs.length, 1, 'the TARGET-independent stage ran once');
  const keys = new Set(platforms.map((p) => instanceFor(plan, 'build', p)));
  assert.equal(keys.size, 1, 'all platforms share one instance');
  const rootfs = out.get([...keys][0]!)!.rootfs;
  assert.equal(execFileSync(join(rootfs, 'app'), { encoding: 'utf8' }).trim(), 'platform linux/amd64');
  assert.ok(!events.some((e) => e.type === 'warning'), 'no plain-executor warning');
});
