// Step cache keys, tested by what they decide: a build with the same cache runs again exactly the
// steps whose inputs changed (base digest, the instruction after expansion, the args and env it
// sees, the files it reads) and no step for anything else.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { build, type BuildOutcome } from '../../../../lib/bake/build.js';
import type { BuildOptions } from '../../../../lib/bake/options.js';
import { OciLayoutPublisher } from '../../../../lib/output/oci-layout-publisher.js';
import { collectBytes, tempDir } from '../../../harness/tmp.js';
import { busyboxRootfs, mountsUnder } from '../sandbox/busybox-rootfs.js';

const work = tempDir('ocibake-step-keys-');
after(() => assert.deepEqual(mountsUnder(work), [], 'no mount is left behind'));
const cacheDir = join(work, 'cache');

/** Builds `dir` with the shared cache; returns the outcome (closed by the caller through `bake`). */
async function rawBuild(contextDir: string, o: Partial<BuildOptions> = {}): Promise<BuildOutcome> {
  return build({ contextDir, cacheDir, executor: 'image', sourceDateEpoch: 0, ...o });
}

/** Publishes a FROM-scratch image of `files` (plus the busybox rootfs) to an OCI layout, tagged `tag`. */
async function baseImage(name: string, extra: Record<string, string>, tag = 'latest', layout = join(work, `layout-${name}`)): Promise<string> {
  const ctx = join(work, `base-${name}`);
  mkdirSync(ctx, { recursive: true });
  busyboxRootfs(join(ctx, 'rootfs'));
  for (const [p, c] of Object.entries(extra)) writeFileSync(join(ctx, 'rootfs', p), c);
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCOPY rootfs/ /\n');
  const out = await rawBuild(ctx);
  try {
    await new OciLayoutPublisher(layout).publish(out, [tag]);
  } finally {
    await out.close();
  }
  return `oci-layout://${layout}:${tag}`;
}

/** A file of the built image (top layer first), or undefined. */
async function fileIn(out: BuildOutcome, path: string): Promise<string | undefined> {
  const img = out.images[0]!.image;
  for (const layer of [...img.manifest.layers].reverse()) {
    const bytes = gunzipSync(await collectBytes(await out.store.fetch(layer)));
    const found = await new Promise<string | undefined>((resolve, reject) => {
      const ex = tar.extract();
      let hit: string | undefined;
      ex.on('entry', (h, stream, next) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: unknown) => chunks.push(c as Buffer));
        stream.on('end', () => {
          if (h.name.replace(/^\.?\//, '') === path.replace(/^\//, '')) hit = Buffer.concat(chunks).toString('utf8');
          next();
        });
      });
      ex.on('finish', () => resolve(hit));
      ex.on('error', reject);
      ex.end(bytes);
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

const ctx = join(work, 'ctx');
mkdirSync(ctx);
const BASE_A = await baseImage('a', { 'etc/base': 'A\n' });
const BASE_B = await baseImage('b', { 'etc/base': 'B\n' });
// The same image as A under another layout and tag: the same digest.
const BASE_A_AGAIN = await baseImage('a2', { 'etc/base': 'A\n' }, 'other');

const DOCKERFILE = `FROM base
ARG V=1
ARG OPTIONAL
ARG DEST=app.txt
ENV E=1
COPY app.txt /\${DEST}
RUN cat /\${DEST} /etc/base > /out.txt && echo "v=$V e=$E o=$OPTIONAL" >> /out.txt
LABEL x=1
`;

interface Files {
  dockerfile?: string;
  app?: string;
  other?: string;
  dockerignore?: string;
}
function writeContext(f: Files = {}): void {
  writeFileSync(join(ctx, 'Dockerfile'), f.dockerfile ?? DOCKERFILE);
  writeFileSync(join(ctx, 'app.txt'), f.app ?? 'hello\n');
  writeFileSync(join(ctx, 'other.txt'), f.other ?? 'unrelated\n');
  if (f.dockerignore === undefined) rmSync(join(ctx, '.dockerignore'), { force: true });
  else writeFileSync(join(ctx, '.dockerignore'), f.dockerignore);
}

/** One build of the context as `f` and `o` say: how many steps ran and were cached, and /out.txt. */
async function bake(f: Files = {}, o: Partial<BuildOptions> = {}): Promise<{ run: number; cached: number; out: string | undefined }> {
  writeContext(f);
  const out = await rawBuild(ctx, { bases: [{ name: 'base', ref: BASE_A }], ...o });
  try {
    return { run: out.stats.stepsRun, cached: out.stats.stepsCached, out: await fileIn(out, '/out.txt') };
  } finally {
    await out.close();
  }
}

test('step keys: a repeated build runs nothing; the result is the same', async () => {
  const first = await bake();
  assert.equal(first.run, 2, 'COPY and RUN');
  assert.equal(first.out, 'hello\nA\nv=1 e=1 o=\n');
  const again = await bake();
  assert.deepEqual(again, { run: 0, cached: 2, out: first.out });
});

test('step keys do not change for what a step does not see', async () => {
  await bake();
  assert.equal((await bake({ other: 'changed\n' })).run, 0, 'a context file no step reads');
  const t = new Date(Date.now() + 3_600_000);
  writeContext();
  utimesSync(join(ctx, 'app.txt'), t, t);
  assert.equal(
    await rawBuild(ctx, { bases: [{ name: 'base', ref: BASE_A }] }).then(async (o) => (await o.close(), o.stats.stepsRun)),
    0,
    "the copied file's mtime alone",
  );
  assert.equal(
    (await bake({ dockerfile: `# a comment\n\n${DOCKERFILE.replace('LABEL x=1', 'LABEL x=2\nCMD ["/bin/sh"]')}` })).run,
    0,
    'comments, blank lines (so other line numbers), a later LABEL and CMD',
  );
  assert.equal((await bake({}, { buildArgs: { NOT_DECLARED: 'x' } })).run, 0, 'a build arg no ARG declares');
  assert.equal((await bake({}, { labels: { 'org.example': 'y' } })).run, 0, '--label');
  assert.equal(
    (await bake({}, { bases: [{ name: 'base', ref: BASE_A_AGAIN }] })).run,
    0,
    'the same base image under another name and tag: only its digest counts',
  );
});

test('step keys change with the base image digest', async () => {
  const r = await bake({}, { bases: [{ name: 'base', ref: BASE_B }] });
  assert.equal(r.run, 2);
  assert.equal(r.out, 'hello\nB\nv=1 e=1 o=\n');
});

test('step keys change with the content of the files a COPY reads, and the RUN after it with them', async () => {
  const r = await bake({ app: 'bye\n' });
  assert.equal(r.run, 2);
  assert.equal(r.out, 'bye\nA\nv=1 e=1 o=\n');
});

test('step keys change with the args and env a RUN sees, and only from the step that sees them', async () => {
  await bake();
  const v = await bake({}, { buildArgs: { V: '2' } });
  assert.deepEqual([v.run, v.cached], [1, 1], 'the COPY is cached, the RUN (which sees V) runs');
  assert.equal(v.out, 'hello\nA\nv=2 e=1 o=\n');
  const opt = await bake({}, { buildArgs: { OPTIONAL: 'set' } });
  assert.deepEqual([opt.run, opt.cached], [1, 1], 'a declared arg without a default, once given');
  assert.equal(opt.out, 'hello\nA\nv=1 e=1 o=set\n');
  const e = await bake({ dockerfile: DOCKERFILE.replace('ENV E=1', 'ENV E=2') });
  assert.deepEqual([e.run, e.cached], [1, 1], 'ENV changes the RUN, not the COPY');
  assert.equal(e.out, 'hello\nA\nv=1 e=2 o=\n');
});

test('step keys change with the instruction after expansion', async () => {
  await bake();
  const dest = await bake({}, { buildArgs: { DEST: 'elsewhere.txt' } });
  assert.equal(dest.run, 2, 'COPY app.txt /${DEST} now writes another path');
  const same = await bake({ dockerfile: DOCKERFILE.replace('COPY app.txt /${DEST}', 'COPY app.txt /app.txt') });
  assert.deepEqual([same.run, same.cached], [0, 2], 'written out, the same COPY: the same key');
  const cmd = await bake({ dockerfile: DOCKERFILE.replace('> /out.txt', '>  /out.txt') });
  assert.deepEqual([cmd.run, cmd.cached], [1, 1], 'RUN text is not normalised (the shell sees it as written)');
});

test('step keys: a secret value never reaches a key; how the mount is declared does', async () => {
  const df = `FROM base\nRUN --mount=type=secret,id=tok,env=TOK test -n "$TOK" && echo ok > /out.txt\n`;
  const withSecret = () => bake({ dockerfile: df }, { secrets: [{ id: 'tok', env: 'OCIBAKE_TEST_TOK' }] });
  process.env['OCIBAKE_TEST_TOK'] = 'first';
  try {
    assert.equal((await withSecret()).out, 'ok\n');
    process.env['OCIBAKE_TEST_TOK'] = 'second';
    assert.equal((await withSecret()).run, 0, 'another value of the same secret');
    const renamed = await bake(
      { dockerfile: df.replace('env=TOK test -n "$TOK"', 'env=TOKEN test -n "$TOKEN"') },
      { secrets: [{ id: 'tok', env: 'OCIBAKE_TEST_TOK' }] },
    );
    assert.equal(renamed.run, 1);
  } finally {
    delete process.env['OCIBAKE_TEST_TOK'];
  }
});

test('step keys: a RUN that reads another stage through a bind mount runs again when that stage changes', async () => {
  const df = `FROM base AS gen\nCOPY app.txt /gen/app.txt\nFROM base\nRUN --mount=type=bind,from=gen,source=/gen,target=/in cat /in/app.txt > /out.txt\n`;
  const first = await bake({ dockerfile: df });
  assert.equal(first.out, 'hello\n');
  assert.equal((await bake({ dockerfile: df })).run, 0);
  const changed = await bake({ dockerfile: df, app: 'new\n' });
  assert.equal(changed.run, 2, 'the COPY in gen, and the RUN that mounts it');
  assert.equal(changed.out, 'new\n');
});

test('step keys: a RUN that reads the build context through a bind mount runs again when those files change', async () => {
  const df = `FROM base\nRUN --mount=type=bind,source=app.txt,target=/in/app.txt cat /in/app.txt > /out.txt\n`;
  assert.equal((await bake({ dockerfile: df })).out, 'hello\n');
  assert.equal((await bake({ dockerfile: df, other: 'not mounted\n' })).run, 0, 'a file the mount does not show');
  const changed = await bake({ dockerfile: df, app: 'mounted and changed\n' });
  assert.equal(changed.out, 'mounted and changed\n', 'BuildKit keys a context bind by the content it shows');
  assert.equal(changed.run, 1);
  // The whole context, with .dockerignore: only what it does not exclude counts.
  const whole = `FROM base\nRUN --mount=type=bind,target=/ctx cat /ctx/app.txt > /out.txt && ls /ctx >> /out.txt\n`;
  const ignore = 'other.txt\n';
  assert.equal((await bake({ dockerfile: whole, dockerignore: ignore })).out, 'hello\nDockerfile\napp.txt\n');
  assert.equal((await bake({ dockerfile: whole, dockerignore: ignore, other: 'excluded and changed\n' })).run, 0, 'an excluded file');
  assert.equal((await bake({ dockerfile: whole, dockerignore: ignore, app: 'seen\n' })).out, 'seen\nDockerfile\napp.txt\n');
});
