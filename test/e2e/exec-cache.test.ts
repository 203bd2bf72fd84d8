// dedupe and the stage cache are observable with a real Dockerfile. A warm
// rebuild runs no RUN; changing one context file re-runs only the stages that read it; a secret
// never reaches the outputs, the cache or the logs.
import { CacheLayout } from '../../lib/cache/layout.js';
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHostStages, type RunHostStagesOptions } from '../../lib/exec/run-host-stages.js';
import { createExecutor } from '../../lib/exec/select-executor.js';
import type { ProgressEvent } from '../../lib/progress.js';
import { CountingExecutor } from '../unit/lib/exec/counting-executor.js';
import { instanceFor, planFile, runFor, toolCacheDir } from './exec-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ocibake-e2e-cache-'));
const ctx = join(dir, 'ctx');
const SECRET = `s3cret-${process.pid}-e2e`;
after(() => rmSync(dir, { recursive: true, force: true }));

const DOCKERFILE = `# syntax=docker/dockerfile:1
FROM --platform=$BUILDPLATFORM alpine AS gen
COPY gen.txt /gen/
RUN --mount=type=secret,id=tok test "$(cat /run/secrets/tok)" = "${SECRET.slice(0, 6)}$(cut -c7- /run/secrets/tok)" && tr a-z A-Z < /gen/gen.txt > /gen/version.txt

FROM --platform=$BUILDPLATFORM golang AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY go.mod main.go ./
COPY --from=gen /gen/version.txt /src/
RUN go build -o /out/main . && cp version.txt /out/

FROM scratch
COPY --from=build /out /
`;

before(() => {
  mkdirSync(ctx);
  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
  writeFileSync(join(ctx, 'gen.txt'), 'v1\n');
  writeFileSync(join(ctx, 'go.mod'), 'module example.com/c\n\ngo 1.19\n');
  writeFileSync(join(ctx, 'main.go'), 'package main\n\nimport (\n\t"fmt"\n\t"runtime"\n)\n\nfunc main() { fmt.Println("one", runtime.GOARCH) }\n');
  writeFileSync(join(ctx, '.dockerignore'), 'Dockerfile\n');
});

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];

async function build(name: string, extra: Partial<RunHostStagesOptions> = {}) {
  const plan = planFile(join(ctx, 'Dockerfile'), PLATFORMS);
  const exec = new CountingExecutor(createExecutor('auto', () => undefined));
  const events: ProgressEvent[] = [];
  process.env['OCIBAKE_E2E_TOK'] = SECRET;
  const out = await runHostStages(plan, {
    contextDir: ctx,
    dockerfilePath: join(ctx, 'Dockerfile'),
    workDir: join(dir, name),
    cache: new CacheLayout(join(dir, 'cache')),
    toolCacheDir,
    secrets: new Map([['tok', { env: 'OCIBAKE_E2E_TOK' }]]),
    executor: exec,
    onEvent: (e) => events.push(e),
    ...extra,
  });
  const runsOf = (stage: string) => exec.runs.filter((r) => (stage === 'gen' ? r.includes('/run/secrets/tok') : r.includes('go build'))).length;
  return { plan, out, exec, events, runsOf };
}

test('cold, warm, one file changed, --no-cache', async () => {
  const cold = await build('cold');
  assert.equal(cold.runsOf('gen'), 1, 'gen reads no TARGET* arg: one run for 3 platforms');
  assert.equal(cold.runsOf('build'), 3);
  for (const p of PLATFORMS) {
    const o = cold.out.get(instanceFor(cold.plan, 'build', p))!;
    assert.equal(runFor(p, join(o.rootfs, 'out/main')).trim(), `one ${p.split('/')[1]}`);
    assert.equal(readFileSync(join(o.rootfs, 'out/version.txt'), 'utf8'), 'V1\n');
  }

  const warm = await build('warm');
  assert.equal(warm.exec.runs.length, 0, 'a warm rebuild runs no RUN');
  assert.ok([...warm.out.values()].every((o) => o.cached));
  assert.equal(warm.events.filter((e) => e.type === 'stage' && e.state === 'cached').length, 4);

  writeFileSync(join(ctx, 'main.go'), readFileSync(join(ctx, 'main.go'), 'utf8').replace('"one"', '"two"'));
  const touched = await build('touched');
  assert.equal(touched.runsOf('gen'), 0, 'gen does not read main.go: still cached');
  assert.equal(touched.runsOf('build'), 3);
  assert.equal(runFor('linux/arm64', join(touched.out.get(instanceFor(touched.plan, 'build', 'linux/arm64'))!.rootfs, 'out/main')).trim(), 'two arm64');

  writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE + '\n# a comment and an ignored file do not matter\n');
  const ignored = await build('ignored');
  assert.equal(ignored.exec.runs.length, 0, 'the Dockerfile is .dockerignored and not read by any COPY');

  const noCache = await build('nocache', { noCache: true });
  assert.equal(noCache.exec.runs.length, 4, '--no-cache runs every instance once');

  const hits: string[] = [];
  const grep = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      const st = lstatSync(p);
      if (st.isDirectory()) grep(p);
      else if (st.isFile() && readFileSync(p).includes(SECRET)) hits.push(p);
    }
  };
  grep(dir);
  grep(toolCacheDir);
  assert.deepEqual(hits, [], 'the secret is in no output, cache entry or tool cache');
  for (const b of [cold, warm, touched, noCache]) assert.ok(!JSON.stringify(b.events).includes(SECRET), 'nor in any event');
  delete process.env['OCIBAKE_E2E_TOK'];
});
