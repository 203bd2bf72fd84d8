// The step cache shared through the registry (`--cache-to`/`--cache-from`), with "runners" that
// are separate processes, each with its own empty local cache: a 3-platform Go build whose build
// stage runs in a Debian golang-go image and whose final Alpine stage RUNs adduser (emulated for
// arm64 and arm/v7). Checked: runner 2 runs nothing, writes no layer, downloads no layer and
// gives the same index; a changed file reruns only its steps; mode=min against mode=max; three
// runners fanning out by platform into one cache ref and `index create`; local caches; a missing,
// unauthorized or corrupt cache is a warning and a correct full build; secrets never reach it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { seedAlpine } from '../harness/alpine-index.js';
import { debianImage } from '../harness/debian-image.js';
import { inspectRaw } from '../harness/skopeo.js';
import { cleanFailure, ocibake, repoRoot, type CliResult } from '../harness/cli.js';
import type { Index, Manifest } from '../../lib/oci/manifest.js';

const PLATFORMS = 'linux/amd64,linux/arm64,linux/arm/v7';
let reg: TestRegistry;
let work: string;
let ctx: string;

const DOCKERFILE = [
  'FROM --platform=$BUILDPLATFORM golang:1.22-bookworm AS build',
  'WORKDIR /src',
  'COPY go.mod main.go ./',
  'ARG TARGETOS TARGETARCH TARGETVARIANT',
  'RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build -trimpath -o /out/hello .',
  'FROM alpine:3.20',
  'ARG APP_UID=10001',
  'RUN adduser -D -u $APP_UID app',
  'COPY --from=build /out/hello /usr/local/bin/hello',
  'USER app',
  'ENTRYPOINT ["/usr/local/bin/hello"]',
  '',
].join('\n');

before(async () => {
  reg = await startRegistry('anonymous');
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-cache-'));
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
  await debianImage({ registry: reg, repo: 'library/golang', tag: '1.22-bookworm', platforms: [{ arch: 'amd64', include: ['golang-go'] }] });
  ctx = join(work, 'ctx');
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  for (const f of ['go.mod', 'main.go']) copyFileSync(join(repoRoot, 'examples', 'go', f), join(ctx, f));
});

after(async () => {
  await reg?.stop().catch(() => undefined);
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Summary {
  digest: string;
  stats: { stepsRun: number; stepsCached: number; stepsImported?: number; layersWritten: number };
  caches: { target: string; digest: string; entries: number }[];
}

/** One runner: a fresh process with its own local cache (`name`), building `context` with `args`. */
async function runner(
  name: string,
  args: string[],
  context = ctx,
): Promise<{ run: CliResult; summary: Summary; events: { type: string; text?: string; cached?: boolean; message?: string }[] }> {
  const run = await ocibake(
    [
      'build',
      context,
      '--base',
      `alpine=${reg.host}/library/alpine:3.20.3`,
      '--base',
      `golang:1.22-bookworm=${reg.host}/library/golang:1.22-bookworm`,
      '--progress',
      'json',
      ...args,
    ],
    { env: { OCIBAKE_CACHE: join(work, 'runners', name) } },
  );
  assert.equal(run.code, 0, run.stderr);
  const events = run.stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { type: string; text?: string; cached?: boolean; message?: string });
  return { run, summary: JSON.parse(run.stdout) as Summary, events };
}

/** RUN steps a build really executed (a started step that did not come from a cache). */
const ranRuns = (events: { type: string; text?: string; cached?: boolean }[]): string[] =>
  events.filter((e) => e.type === 'step' && e.cached === false && e.text?.startsWith('RUN')).map((e) => e.text!);

/** Blobs in a runner's local cache bigger than any manifest or config: layers it downloaded or wrote. */
function layerBlobs(name: string): string[] {
  const dir = join(work, 'runners', name, 'blobs', 'sha256');
  return existsSync(dir) ? readdirSync(dir).filter((f) => statSync(join(dir, f)).size > 64 * 1024) : [];
}

const cacheRef = (tag: string): string => `${reg.host}/cache:${tag}`;

/** A blob of a repository of the test registry, straight over HTTP. */
async function blob(repo: string, digest: string): Promise<Buffer> {
  const res = await fetch(`${reg.url}/v2/${repo}/blobs/${digest}`);
  assert.equal(res.status, 200, `${repo}@${digest}`);
  return Buffer.from(await res.arrayBuffer());
}

test('runner 2 with --cache-from runs no RUN, writes and downloads no layer, and gives runner 1’s index; a changed file reruns only its steps', async () => {
  // Runner 1 exports twice, with each mode, for the next test to compare.
  const one = await runner('r1', [
    '--platform',
    PLATFORMS,
    '-t',
    `${reg.host}/app:1`,
    '--push',
    '--cache-to',
    `type=registry,ref=${cacheRef('max')},mode=max`,
    '--cache-to',
    `type=registry,ref=${cacheRef('min')}`,
  ]);
  assert.equal(ranRuns(one.events).length, 6, 'runner 1 ran go build ×3 and adduser ×3');
  assert.deepEqual(
    one.summary.caches.map((c) => c.target),
    [cacheRef('max'), cacheRef('min')],
  );

  const two = await runner('r2', ['--platform', PLATFORMS, '-t', `${reg.host}/app:2`, '--push', '--cache-from', cacheRef('max')]);
  assert.deepEqual(ranRuns(two.events), [], 'runner 2 ran no RUN');
  assert.equal(two.summary.stats.stepsRun, 0);
  assert.equal(two.summary.stats.layersWritten, 0, 'and compressed no layer');
  assert.ok((two.summary.stats.stepsImported ?? 0) > 0);
  assert.deepEqual(layerBlobs('r2'), [], 'and downloaded no layer: the registry has them all');
  assert.equal(two.summary.digest, one.summary.digest, 'the same index');

  // One source file changes: the COPY that reads it and everything after it rerun, nothing before.
  const changed = join(work, 'ctx-changed');
  mkdirSync(changed);
  for (const f of ['Dockerfile', 'go.mod']) copyFileSync(join(ctx, f), join(changed, f));
  writeFileSync(join(changed, 'main.go'), readFileSync(join(ctx, 'main.go'), 'utf8').replace('hello from', 'hi from'));
  for (const name of ['r1', 'r2']) {
    const again = await runner(
      name,
      ['--platform', PLATFORMS, '-o', `type=oci,dest=${join(work, `changed-${name}`)}`, '--cache-from', cacheRef('max')],
      changed,
    );
    const runs = ranRuns(again.events);
    assert.equal(runs.length, 3, `${name}: go build once per platform, nothing else: ${runs.join(' | ')}`);
    assert.ok(runs.every((r) => r.includes('go build')));
    assert.notEqual(again.summary.digest, one.summary.digest);
  }
});

test('mode=min keeps the final images’ steps, mode=max every step: sizes, and what each lets runner 2 skip when the final stage changes', async () => {
  const sizes: Record<string, { entries: number; layerBytes: number }> = {};
  for (const mode of ['min', 'max'] as const) {
    const manifest = JSON.parse((await inspectRaw(reg, `cache:${mode}`)).toString()) as Manifest;
    assert.equal(manifest.artifactType, 'application/vnd.ocibake.cache.v1');
    const config = JSON.parse((await blob(`cache`, manifest.config.digest)).toString()) as { entries: Record<string, unknown> };
    sizes[mode] = { entries: Object.keys(config.entries).length, layerBytes: manifest.layers.reduce((n, l) => n + l.size, 0) };
  }
  assert.ok(sizes['max']!.entries > sizes['min']!.entries, 'max keeps the build stage’s steps too');
  assert.ok(sizes['max']!.layerBytes > sizes['min']!.layerBytes);

  // The final stage's first RUN changes: COPY --from=build after it needs the build stage's files.
  // (One platform of the three is enough: keys are per platform, so a subset hits them.)
  const ran: Record<string, string[]> = {};
  for (const mode of ['min', 'max'] as const) {
    const b = await runner(`mode-${mode}`, [
      '--platform',
      'linux/amd64',
      '--build-arg',
      'APP_UID=10002',
      '-o',
      `type=oci,dest=${join(work, `mode-${mode}`)}`,
      '--cache-from',
      cacheRef(mode),
    ]);
    ran[mode] = ranRuns(b.events);
  }
  assert.equal(ran['min']!.filter((r) => r.includes('go build')).length, 1, 'with min, runner 2 compiles again');
  assert.deepEqual(
    ran['max']!.filter((r) => r.includes('go build')),
    [],
    'with max, the build stage comes from the cache',
  );
  assert.equal(ran['max']!.length, 1, 'only the changed adduser reruns');
  console.log(
    `# step cache sizes: mode=min ${sizes['min']!.entries} steps, ${sizes['min']!.layerBytes} layer bytes; mode=max ${sizes['max']!.entries} steps, ${sizes['max']!.layerBytes} layer bytes; ` +
      `after changing the final stage, runner 2 ran ${ran['min']!.length} RUN(s) with min, ${ran['max']!.length} with max`,
  );
});

test('three runners each build one platform by digest into one shared cache ref, then index create joins them', async () => {
  const shared = cacheRef('fanout');
  const platforms = PLATFORMS.split(',');
  const runs = await Promise.all(
    platforms.map((p, i) =>
      runner(`fan-${i}`, [
        '--platform',
        p,
        '-t',
        `${reg.host}/fan`,
        '--push-by-digest',
        '--cache-from',
        shared,
        '--cache-to',
        `type=registry,ref=${shared},mode=max`,
      ]),
    ),
  );
  const digests = runs.map((r) => r.summary.digest);
  for (const d of digests) assert.match(d, /^sha256:[0-9a-f]{64}$/);
  const created = await ocibake(['index', 'create', '-t', `${reg.host}/fan:1.0`, ...digests.map((d) => `${reg.host}/fan@${d}`)], {
    env: { OCIBAKE_CACHE: join(work, 'runners', 'fan-index') },
  });
  assert.equal(created.code, 0, created.stderr);
  const index = JSON.parse((await inspectRaw(reg, 'fan:1.0')).toString()) as Index;
  assert.deepEqual(
    index.manifests.map((m) => `${m.platform!.os}/${m.platform!.architecture}${m.platform!.variant ? `/${m.platform!.variant}` : ''}`),
    platforms,
  );
  assert.deepEqual(
    index.manifests.map((m) => m.digest),
    digests,
  );
  // Whichever runner wrote last, the cache is complete: every layer it names is in the registry.
  const cache = JSON.parse((await inspectRaw(reg, 'cache:fanout')).toString()) as Manifest;
  for (const l of cache.layers) {
    const res = await fetch(`${reg.url}/v2/cache/blobs/${l.digest}`, { method: 'HEAD' });
    assert.equal(res.status, 200, `cache layer ${l.digest} is there`);
  }
  // Runners that exported at the same moment overwrite each other, whole (the last one wins). A
  // second round, one runner after another, merges every platform back into the shared ref.
  for (const [i, p] of platforms.entries()) {
    const r = await runner(`fan2-${i}`, [
      '--platform',
      p,
      '-t',
      `${reg.host}/fan`,
      '--push-by-digest',
      '--cache-from',
      shared,
      '--cache-to',
      `type=registry,ref=${shared},mode=max`,
    ]);
    assert.equal(r.summary.digest, digests[i]);
  }
  for (const [i, p] of platforms.entries()) {
    const r = await runner(`fan3-${i}`, ['--platform', p, '-t', `${reg.host}/fan`, '--push-by-digest', '--cache-from', shared]);
    assert.deepEqual(ranRuns(r.events), [], `${p}: everything came from the shared cache`);
    assert.equal(r.summary.digest, digests[i]);
  }
});

test('type=local caches (for actions/cache) are OCI layouts and work the same way', async () => {
  const dir = join(work, 'local-cache');
  await runner('local-1', ['--platform', 'linux/amd64', '-o', `type=oci,dest=${join(work, 'local-out-1')}`, '--cache-to', `type=local,dest=${dir},mode=max`]);
  assert.ok(existsSync(join(dir, 'oci-layout')) && existsSync(join(dir, 'index.json')));
  const two = await runner('local-2', [
    '--platform',
    'linux/amd64',
    '-o',
    `type=oci,dest=${join(work, 'local-out-2')}`,
    '--cache-from',
    `type=local,src=${dir}`,
  ]);
  assert.deepEqual(ranRuns(two.events), []);
  assert.equal(two.summary.stats.layersWritten, 0);
});

test('a missing, unreachable, unauthorized or corrupt cache is a warning and a correct full build', async () => {
  const small = join(work, 'faults-ctx');
  mkdirSync(small);
  writeFileSync(join(small, 'Dockerfile'), 'FROM alpine:3.20\nRUN echo one > /one\nRUN echo two > /two\n');
  const clean = await runner('faults-clean', ['--platform', 'linux/amd64', '-o', `type=oci,dest=${join(work, 'faults-clean')}`], small);
  const auth = await startRegistry('basic-tls');
  try {
    // A cache ref we can corrupt: its config blob rewritten in the registry's storage, same length.
    await runner(
      'faults-seed',
      ['--platform', 'linux/amd64', '-o', `type=oci,dest=${join(work, 'faults-seed')}`, '--cache-to', `type=registry,ref=${cacheRef('corrupt')},mode=max`],
      small,
    );
    const m = JSON.parse((await inspectRaw(reg, 'cache:corrupt')).toString()) as Manifest;
    const hex = m.config.digest.slice(7);
    const data = join(reg.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
    const bytes = readFileSync(data);
    writeFileSync(data, Buffer.from(bytes.toString('latin1').replace(/"version":1/, '"version":9'), 'latin1'));

    const cases: [string, string][] = [
      ['missing', cacheRef('nope')],
      ['unreachable', '127.0.0.1:1/cache:x'],
      ['unauthorized', `${auth.host}/cache:x`],
      ['corrupt', cacheRef('corrupt')],
    ];
    for (const [what, ref] of cases) {
      const b = await runner(
        `faults-${what}`,
        ['--platform', 'linux/amd64', '-o', `type=oci,dest=${join(work, `faults-${what}`)}`, '--cache-from', ref, '--insecure-registry', auth.host],
        small,
      );
      const warning = b.events.find((e) => e.type === 'warning' && e.message?.includes(`cache ${ref} is not used`));
      assert.ok(warning, `${what}: a warning names the cache (${b.run.stderr.slice(-600)})`);
      assert.equal(ranRuns(b.events).length, 2, `${what}: a full build`);
      assert.equal(b.summary.digest, clean.summary.digest, `${what}: the same image as a build without a cache`);
    }
  } finally {
    await auth.stop();
  }
});

test('cache keys follow what a step sees: build args, secret ids (never values), context content; the cache never holds a secret', async () => {
  const dir = join(work, 'keys');
  mkdirSync(dir);
  writeFileSync(join(dir, 'data.txt'), 'one\n');
  writeFileSync(
    join(dir, 'Dockerfile'),
    [
      'FROM alpine:3.20',
      'ARG LEVEL=1',
      'COPY data.txt /data.txt',
      'RUN --mount=type=secret,id=tok test -s /run/secrets/tok && echo "level $LEVEL" > /level',
      '',
    ].join('\n'),
  );
  const secret = join(work, 'secret.txt');
  const value = `cache-secret-${process.pid}-value`;
  writeFileSync(secret, value);
  const ref = cacheRef('keys');
  const build = (name: string, extra: string[], id = 'tok') =>
    runner(
      name,
      [
        '--platform',
        'linux/amd64',
        '-o',
        `type=oci,dest=${join(work, `keys-${name}`)}`,
        '--secret',
        `id=${id},src=${secret}`,
        '--cache-from',
        ref,
        '--cache-to',
        `type=registry,ref=${ref},mode=max`,
        ...extra,
      ],
      dir,
    );
  const first = await build('k1', []);
  assert.equal(ranRuns(first.events).length, 1);
  writeFileSync(secret, `${value}-rotated`);
  assert.equal(ranRuns((await build('k2', [])).events).length, 0, 'a new secret value does not invalidate the step (BuildKit’s rule)');
  assert.equal(ranRuns((await build('k3', ['--build-arg', 'LEVEL=2'])).events).length, 1, 'a build arg the RUN sees does');
  writeFileSync(join(dir, 'data.txt'), 'two\n');
  assert.equal(ranRuns((await build('k4', [])).events).length, 1, 'so does a context file it depends on');
  writeFileSync(
    join(dir, 'Dockerfile'),
    readFileSync(join(dir, 'Dockerfile'), 'utf8').replace('id=tok', 'id=other').replace('/run/secrets/tok', '/run/secrets/other'),
  );
  assert.equal(ranRuns((await build('k5', [], 'other')).events).length, 1, 'and a different secret id');
  // Nothing the registry stores for the cache (or anything else) holds the secret's bytes.
  const { execFileSync } = await import('node:child_process');
  const hits = execFileSync('sh', ['-c', 'grep -rlaF -- "$0" "$1" || true', value, join(reg.dir, 'data')], { encoding: 'utf8' }).trim();
  assert.equal(hits, '', `the secret is in ${hits}`);
});

test('a bad --cache-to or --cache-from is refused before anything builds', async () => {
  for (const [flag, value, expect] of [
    ['--cache-to', 'type=gha', /type=gha has no ocibake backend[\s\S]*hint: use type=local with actions\/cache/],
    ['--cache-to', 'type=registry,mode=max', /type=registry needs ref=/],
    ['--cache-from', 'type=local', /type=local needs src=/],
    ['--cache-to', `type=registry,ref=${cacheRef('x')},mode=all`, /mode must be min or max/],
  ] as const) {
    const run = await ocibake(['build', ctx, flag, value, '-o', `type=oci,dest=${join(work, 'never')}`], {
      env: { OCIBAKE_CACHE: join(work, 'runners', 'bad') },
    });
    assert.equal(cleanFailure(run), undefined);
    assert.match(run.stderr, expect);
  }
  assert.equal(existsSync(join(work, 'never')), false);
});
