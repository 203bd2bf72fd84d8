// `npx ocibake` must work from the published tarball: pack it, run it from an empty directory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from '../harness/cli.js';

const run = promisify(execFile);

test('npm pack → npx ./ocibake-*.tgz runs the CLI', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ocibake-pack-'));
  try {
    // dist/ is already built by `npm test`; --ignore-scripts skips the prepack rebuild.
    await run('npm', ['pack', '--ignore-scripts', '--pack-destination', dir], { cwd: repoRoot });
    const tgz = readdirSync(dir).find((f) => f.endsWith('.tgz'));
    assert.ok(tgz, 'npm pack wrote a tarball');
    const version = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }).version;
    const v = await run('npx', ['--yes', `./${tgz}`, '--version'], { cwd: dir, timeout: 180_000 });
    assert.equal(v.stdout.trim(), version);
    const help = await run('npx', ['--yes', `./${tgz}`, 'build', '--help'], { cwd: dir, timeout: 180_000 });
    assert.match(help.stdout, /--platform/);
    assert.match(help.stdout, /--push/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
