// The bundled C examples, built with the CLI as a user would and run: examples/c-alpine (the
// host cc for amd64, zig for arm64) on the real Alpine base, examples/zig-c onto scratch.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedAlpineLayout } from '../harness/alpine-index.js';
import { runChroot, runQemu, unpackPlatform } from '../harness/run-image.js';
import { ocibake, repoRoot } from '../harness/cli.js';
import { toolCacheDir } from './exec-helpers.js';

let work: string;
let alpine: string;
const env = (): NodeJS.ProcessEnv => ({ OCIBAKE_CACHE: join(work, 'cache'), OCIBAKE_TOOL_CACHE: toolCacheDir });

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-examples-'));
  const layout = await sharedAlpineLayout();
  alpine = `alpine=oci-layout://${layout.dir}:${layout.tag}`;
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('examples/c-alpine: a static C binary per platform on Alpine', async () => {
  const out = join(work, 'c');
  const run = await ocibake(['build', join(repoRoot, 'examples', 'c-alpine'), '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-t', 'c:1', '-o', `type=oci,dest=${out}`, '--progress', 'plain'], { env: env() });
  assert.equal(run.code, 0, run.stderr);
  const amd64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'amd64' }, join(work, 'c-amd64'));
  assert.equal(runChroot(amd64, ['/usr/local/bin/hello']).stdout.trim(), 'hello from linux/amd64');
  const arm64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'arm64' }, join(work, 'c-arm64'));
  assert.equal(runQemu(arm64, 'arm64', '/usr/local/bin/hello', []).stdout.trim(), 'hello from linux/arm64');
});

test('examples/zig-c: zig cross-compiles onto scratch for arm64 and riscv64', async () => {
  const out = join(work, 'zig');
  const run = await ocibake(['build', join(repoRoot, 'examples', 'zig-c'), '--platform', 'linux/arm64,linux/riscv64', '-t', 'z:1', '-o', `type=oci,dest=${out}`, '--progress', 'plain'], { env: env() });
  assert.equal(run.code, 0, run.stderr);
  const arm64 = await unpackPlatform(out, '1', { os: 'linux', architecture: 'arm64' }, join(work, 'z-arm64'));
  assert.equal(runQemu(arm64, 'arm64', '/hello', []).stdout.trim(), 'built for aarch64-linux-musl, running on aarch64');
  const riscv = await unpackPlatform(out, '1', { os: 'linux', architecture: 'riscv64' }, join(work, 'z-riscv64'));
  assert.equal(runQemu(riscv, 'riscv64', '/hello', []).stdout.trim(), 'built for riscv64-linux-musl, running on riscv64');
});
