// Issue 13, item 2 (the cache audit): builds running at once on one OCIBAKE_CACHE. They race on
// the same base blobs, snapshots, step and layer records and listings; each must succeed with
// the same (reproducible) digest, a later build must find everything cached, and no temp file or
// directory may stay behind.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine } from '../harness/alpine-index.js';
import { ocibake } from '../harness/cli.js';
import { tempDir } from '../harness/tmp.js';
import { ociImageToolValidate } from '../harness/verify.js';

let reg: TestRegistry;
before(async () => {
  reg = await startRegistry('anonymous');
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
});
after(async () => {
  await reg?.stop();
});

function context(dir: string, content: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'a.txt'), content);
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      `FROM ${reg.host}/library/alpine:3.20.3 AS build`,
      'RUN echo built > /hi && mkdir -p /out && cp /etc/os-release /out/',
      'COPY a.txt /out/',
      `FROM ${reg.host}/library/alpine:3.20.3`,
      'COPY --from=build /hi /out/ /srv/',
      // --chown by name reads /etc/passwd of the base, and its listing is cached too.
      'COPY --chown=nobody a.txt /home/a',
      '',
    ].join('\n'),
  );
  return dir;
}

/** Every temp file or directory of the cache (none may stay once the builds have exited). */
function leftovers(cache: string): string[] {
  const out: string[] = [];
  for (const dir of ['tmp', 'snapshots/root/.tmp', 'snapshots/userns/.tmp']) {
    if (existsSync(join(cache, dir))) out.push(...readdirSync(join(cache, dir)).map((n) => `${dir}/${n}`));
  }
  out.push(...readdirSync(cache).filter((n) => n.startsWith('tmp-build-')));
  for (const dir of ['steps', 'layers', 'fs-listings', 'bases']) {
    if (existsSync(join(cache, dir)))
      out.push(
        ...readdirSync(join(cache, dir))
          .filter((n) => !n.endsWith('.json'))
          .map((n) => `${dir}/${n}`),
      );
  }
  return out;
}

test('builds at once on one cache all succeed alike, and leave it whole and clean', async () => {
  const work = tempDir('ocibake-regress-13-cache-');
  const cache = join(work, 'cache');
  const env = { OCIBAKE_CACHE: cache };
  const same = context(join(work, 'same'), 'same\n');
  const build = (ctx: string, i: number) =>
    ocibake(['build', ctx, '-o', `type=oci,dest=${join(work, 'out')}`, '-t', `app:b${i}`, '-q', '--metadata-file', join(work, `meta-${i}.json`)], { env });

  // Cold: three builds of one Dockerfile race on every entry of the cache.
  const cold = await Promise.all([0, 1, 2].map((i) => build(same, i)));
  cold.forEach((r, i) => assert.equal(r.code, 0, `cold build ${i}: ${r.stderr}`));
  assert.equal(new Set(cold.map((r) => r.stdout.trim())).size, 1, 'the same build gives the same digest, raced or not');

  // Warm and changed at once: one build finds everything, two others change the context.
  const other = [context(join(work, 'c1'), 'one\n'), context(join(work, 'c2'), 'two\n')];
  const mixed = await Promise.all([build(same, 3), build(other[0]!, 4), build(other[1]!, 5)]);
  mixed.forEach((r, i) => assert.equal(r.code, 0, `build ${i + 3}: ${r.stderr}`));
  assert.equal(mixed[0].stdout.trim(), cold[0]!.stdout.trim());
  const steps = (i: number) =>
    (JSON.parse(readFileSync(join(work, `meta-${i}.json`), 'utf8')) as { 'ocibake.build': { steps: { run: number; cached: number } } })['ocibake.build'].steps;
  assert.equal(steps(3).run, 0, `a build after the race finds every step cached: ${JSON.stringify(steps(3))}`);
  assert.ok(steps(4).cached > 0, 'the changed builds reuse the steps before the change');
  assert.notEqual(mixed[1].stdout.trim(), mixed[2].stdout.trim());

  assert.deepEqual(leftovers(cache), []);
  await ociImageToolValidate(join(work, 'out'));
});
