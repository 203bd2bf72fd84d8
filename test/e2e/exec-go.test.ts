// the seed Go Dockerfile builds for seven platforms with the host's Go, and each
// binary runs (natively or under qemu) printing its platform.
import { CacheLayout } from '../../lib/cache/layout.js';
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runHostStages } from '../../lib/exec/run-host-stages.js';
import type { ProgressEvent } from '../../lib/progress.js';
import { instanceFor, planFile, runFor, toolCacheDir } from './exec-helpers.js';

const fixture = fileURLToPath(new URL('../../../test/fixtures/exec/go', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'ocibake-e2e-go-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/riscv64', 'linux/ppc64le', 'linux/s390x', 'linux/386'];

test('seed Go Dockerfile: 7 platforms cross-compiled on the host, each binary prints its platform', async () => {
  const plan = planFile(join(fixture, 'Dockerfile'), PLATFORMS);
  const events: ProgressEvent[] = [];
  const out = await runHostStages(plan, {
    contextDir: fixture,
    dockerfilePath: join(fixture, 'Dockerfile'),
    workDir: join(dir, 'work'),
    cache: new CacheLayout(join(dir, 'cache')),
    toolCacheDir,
    onEvent: (e) => events.push(e),
  });
  const starts = events.filter((e) => e.type === 'stage' && e.state === 'start').length;
  assert.equal(starts, 7, 'one build instance per platform');
  for (const p of PLATFORMS) {
    const rootfs = out.get(instanceFor(plan, 'build', p))!.rootfs;
    assert.equal(runFor(p, join(rootfs, 'src', 'main')).trim(), `platform ${p}`);
  }
});
