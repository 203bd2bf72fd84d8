// `--build-arg SOURCE_DATE_EPOCH=…` left image timestamps at 0; only the environment variable
// worked. BuildKit honours the build arg, and it wins over the environment.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { ocibake } from '../harness/cli.js';

let work: string;
before(() => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-sde-'));
  mkdirSync(join(work, 'ctx'));
  writeFileSync(join(work, 'ctx', 'f.txt'), 'x\n');
  writeFileSync(join(work, 'ctx', 'Dockerfile'), 'FROM scratch\nCOPY f.txt /\nENV A=1\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

function config(layout: string): { created: string; history: { created: string }[] } {
  const blob = (d: string): string => readFileSync(join(layout, 'blobs', 'sha256', d.slice(7)), 'utf8');
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(blob(index.manifests[0]!.digest)) as { config: { digest: string }; layers: { digest: string }[] };
  return JSON.parse(blob(manifest.config.digest)) as { created: string; history: { created: string }[] };
}

test('the build arg sets created, history and layer mtimes, and wins over the environment', async () => {
  const out = join(work, 'arg');
  const r = await ocibake(['build', join(work, 'ctx'), '--build-arg', 'SOURCE_DATE_EPOCH=1700000000', '-o', `type=oci,dest=${out}`, '--progress', 'quiet'], {
    env: { OCIBAKE_CACHE: join(work, 'cache'), SOURCE_DATE_EPOCH: '1' },
  });
  assert.equal(r.code, 0, r.stderr);
  const cfg = config(out);
  assert.equal(cfg.created, '2023-11-14T22:13:20Z');
  assert.ok(cfg.history.every((h) => h.created === '2023-11-14T22:13:20Z'));
  const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
  const manifest = JSON.parse(readFileSync(join(out, 'blobs', 'sha256', index.manifests[0]!.digest.slice(7)), 'utf8')) as { layers: { digest: string }[] };
  const listing = execFileSync('tar', ['--full-time', '-tvzf', join(out, 'blobs', 'sha256', manifest.layers[0]!.digest.slice(7))], { encoding: 'utf8' });
  assert.match(listing, /2023-11-14 22:13:20 f\.txt/);
  const env = join(work, 'env');
  const e = await ocibake(['build', join(work, 'ctx'), '-o', `type=oci,dest=${env}`, '--progress', 'quiet'], {
    env: { OCIBAKE_CACHE: join(work, 'cache'), SOURCE_DATE_EPOCH: '1700000000' },
  });
  assert.equal(e.code, 0, e.stderr);
  assert.equal(config(env).created, '2023-11-14T22:13:20Z');
});
