import { CacheLayout } from '../../../../lib/cache/layout.js';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runHostStages, type RunHostStagesOptions } from '../../../../lib/exec/run-host-stages.js';
import { createExecutor } from '../../../../lib/exec/select-executor.js';
import { RunFailedError } from '../../../../lib/exec/errors.js';
import type { ProgressEvent } from '../../../../lib/progress.js';
import { CountingExecutor } from './counting-executor.js';
import { copy, instance, plan, run, step, workdir } from './hand-plan.js';

let dir: string;
let ctx: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocibake-rhs-'));
  ctx = join(dir, 'ctx');
  mkdirSync(join(ctx, 'a'), { recursive: true });
  mkdirSync(join(ctx, 'b'), { recursive: true });
  writeFileSync(join(ctx, 'a/in.txt'), 'alpha\n');
  writeFileSync(join(ctx, 'b/in.txt'), 'beta\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

function options(name: string, extra: Partial<RunHostStagesOptions> = {}): RunHostStagesOptions & { events: ProgressEvent[]; exec: CountingExecutor } {
  const events: ProgressEvent[] = [];
  const exec = new CountingExecutor(createExecutor('namespace', () => undefined));
  return {
    contextDir: ctx,
    dockerfilePath: 'Dockerfile',
    workDir: join(dir, name, 'work'),
    cache: new CacheLayout(join(dir, 'cache')),
    executor: exec,
    onEvent: (e) => events.push(e),
    events,
    exec,
    ...extra,
  };
}

test('COPY then RUN with absolute paths produces the stage output', async () => {
  const p = plan([
    instance({
      key: 'build',
      name: 'build',
      steps: [
        step(copy(['a/in.txt'], '/src/', 1)),
        step(workdir('/src', 2), {}, '/src'),
        step(run('tr a-z A-Z < /src/in.txt > /out.txt && pwd > /where', 3), {}, '/src'),
      ],
    }),
  ]);
  const o = options('abs', { noCache: true });
  const out = await runHostStages(p, o);
  const r = out.get('build')!;
  assert.equal(readFileSync(join(r.rootfs, 'out.txt'), 'utf8'), 'ALPHA\n');
  assert.equal(readFileSync(join(r.rootfs, 'where'), 'utf8'), '/src\n');
  assert.equal(r.cached, false);
  assert.deepEqual(readdirSync(r.rootfs).sort(), ['out.txt', 'src', 'where'], 'no mount-point scaffolding is left in the stage');
});

function dedupePlan(targets: string[]) {
  const gen = instance({ key: 'gen', name: 'gen', steps: [step(copy(['a/in.txt'], '/g/', 1)), step(run('cat /g/in.txt > /g/out; echo gen', 2))] });
  const builds = targets.map((t) =>
    instance({
      key: `build@${t}`,
      name: 'build',
      target: t,
      deps: ['gen'],
      steps: [
        step(copy(['b/in.txt'], '/b/', 3)),
        step(copy(['/g/out'], '/g', 4, { from: 'gen' }), {}, '/', { fromKey: 'gen' }),
        step(run('echo "$TARGETPLATFORM $GOARCH" > /arch; cat /g /b/in.txt >> /arch', 5), { TARGETARCH: t.split('/')[1]! }),
      ],
    }),
  );
  return plan([gen, ...builds], targets);
}

test('a TARGET-independent stage runs once for 3 platforms; per-target ones get the cross env', async () => {
  const targets = ['linux/amd64', 'linux/arm64', 'linux/riscv64'];
  const o = options('dedupe');
  const out = await runHostStages(dedupePlan(targets), o);
  assert.equal(o.exec.runs.filter((r) => r.includes('echo gen')).length, 1, 'shared stage ran once');
  assert.equal(o.exec.runs.length, 4);
  assert.equal(readFileSync(join(out.get('build@linux/arm64')!.rootfs, 'arch'), 'utf8'), 'linux/arm64 arm64\nalpha\nbeta\n');
  assert.equal(readFileSync(join(out.get('build@linux/riscv64')!.rootfs, 'arch'), 'utf8').split('\n')[0], 'linux/riscv64 riscv64');
  assert.ok(o.events.some((e) => e.type === 'log' && e.line === 'gen' && e.key === 'gen'));

  const warm = options('dedupe-warm');
  const again = await runHostStages(dedupePlan(targets), warm);
  assert.equal(warm.exec.runs.length, 0, 'warm rebuild runs no RUN');
  assert.ok([...again.values()].every((r) => r.cached));

  writeFileSync(join(ctx, 'b/in.txt'), 'beta two\n');
  try {
    const touched = options('dedupe-touched');
    await runHostStages(dedupePlan(targets), touched);
    assert.equal(touched.exec.runs.length, 3, 'only the stages that read b/in.txt re-ran');
    assert.ok(!touched.exec.runs.some((r) => r.includes('echo gen')));
  } finally {
    writeFileSync(join(ctx, 'b/in.txt'), 'beta\n');
  }
  const noCache = options('dedupe-nocache', { noCache: true });
  await runHostStages(dedupePlan(targets), noCache);
  assert.equal(noCache.exec.runs.length, 4, '--no-cache runs everything');
});

test('a failing RUN reports file:line, command, exit code and the last output lines', async () => {
  const p = plan([
    instance({ key: 'b@linux/arm64', name: 'b', target: 'linux/arm64', steps: [step(run('echo compiling; echo "main.go:3: undefined: x" >&2; exit 3', 7))] }),
  ]);
  const o = options('fail', { noCache: true });
  await assert.rejects(runHostStages(p, o), (e: unknown) => {
    assert.ok(e instanceof RunFailedError);
    assert.equal(e.line, 7);
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /^Dockerfile:7: \[linux\/arm64 b\] RUN echo compiling.* exited with code 3$/);
    assert.deepEqual(e.outputTail, ['compiling', 'main.go:3: undefined: x']);
    assert.match(e.hint ?? '', /undefined: x/);
    return true;
  });
  assert.ok(o.events.some((e) => e.type === 'stage' && e.state === 'failed'));
});

test('cache mounts persist across builds; a cancelled build leaves the cache consistent', async () => {
  const m = [{ type: 'cache' as const, target: '/root/.cache/thing', readonly: false }];
  const mk = (cmd: string) => plan([instance({ key: 'c', name: 'c', steps: [step(run(cmd, 3, m))] })]);
  await runHostStages(mk('echo kept > /root/.cache/thing/f'), options('cm1', { noCache: true }));
  const o = options('cm2', { noCache: true });
  const out = await runHostStages(mk('cat /root/.cache/thing/f > /seen'), o);
  assert.equal(readFileSync(join(out.get('c')!.rootfs, 'seen'), 'utf8'), 'kept\n');
  assert.ok(!existsSync(join(out.get('c')!.rootfs, 'root/.cache/thing/f')), 'cache contents are not in the stage');

  const ac = new AbortController();
  const slow = options('killed', { signal: ac.signal });
  const pending = runHostStages(mk('sleep 30; echo never > /x'), slow);
  setTimeout(() => ac.abort(new Error('cancelled')), 300);
  await assert.rejects(pending);
  const stages = join(dir, 'cache', 'stages');
  for (const name of readdirSync(stages)) {
    if (name.startsWith('.tmp-')) continue;
    assert.ok(existsSync(join(stages, name, 'meta.json')), `${name} is complete`);
  }
});

test('FROM <stage> starts from a copy of its output; bind mounts read the context without copying it', async () => {
  const a = instance({ key: 'a', name: 'a', steps: [step(run('mkdir -p /data && echo base > /data/f', 2))] });
  const b = instance({
    key: 'b',
    name: 'b',
    base: { type: 'stage', key: 'a' },
    deps: ['a'],
    steps: [step(run('echo more >> /data/f && cat /ctx/a/in.txt > /data/from-bind', 4, [{ type: 'bind', target: '/ctx', readwrite: false }]))],
  });
  const out = await runHostStages(plan([a, b]), options('fromstage', { noCache: true }));
  assert.equal(readFileSync(join(out.get('a')!.rootfs, 'data/f'), 'utf8'), 'base\n', 'the base stage output is untouched');
  assert.equal(readFileSync(join(out.get('b')!.rootfs, 'data/f'), 'utf8'), 'base\nmore\n');
  assert.equal(readFileSync(join(out.get('b')!.rootfs, 'data/from-bind'), 'utf8'), 'alpha\n');
  assert.ok(!existsSync(join(out.get('b')!.rootfs, 'ctx')), 'the bind mount point is gone');
});
