// The live terminal view, watched in a real terminal: the CLI runs under tmux (150 columns) and
// the pane is read back with capture-pane. RUN output, every platform's layer line and the
// summary must be intact, never overwritten by or merged into the redrawn stage rows.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sharedAlpineLayout } from '../harness/alpine-index.js';
import { repoRoot } from '../harness/cli.js';

const PLATFORMS = ['linux/amd64', 'linux/arm64', 'linux/arm/v7'];
let work: string;
let session: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-tty-'));
  session = `ocibake-tty-${process.pid}`;
});
after(() => {
  try {
    execFileSync('tmux', ['kill-session', '-t', session], { stdio: 'ignore' });
  } catch {
    // already gone
  }
  rmSync(work, { recursive: true, force: true });
});

test('under tmux, RUN output, per-platform layer lines and the summary stay intact', async () => {
  const layout = await sharedAlpineLayout();
  const ctx = join(work, 'ctx');
  mkdirSync(ctx);
  for (let i = 0; i < 6; i++) writeFileSync(join(ctx, `asset-${i}.txt`), `asset ${i}\n`.repeat(2000 * (i + 1)));
  writeFileSync(
    join(ctx, 'Dockerfile'),
    [
      'FROM --platform=$BUILDPLATFORM alpine:3.20 AS build',
      'ARG TARGETARCH',
      'RUN for i in 1 2 3 4 5 6 7 8; do echo "progress line $i of the $TARGETARCH build, long enough to matter on a narrow terminal"; sleep 0.05; done; mkdir -p /out && echo $TARGETARCH > /out/arch',
      'FROM alpine:3.20',
      ...Array.from({ length: 6 }, (_, i) => `COPY asset-${i}.txt /srv/asset-${i}.txt`),
      'COPY --from=build /out/arch /srv/arch',
      '',
    ].join('\n'),
  );
  const done = join(work, 'done');
  const cmd = [
    `cd ${repoRoot}`,
    `OCIBAKE_CACHE=${join(work, 'cache')} node dist/cli/main.js build ${ctx} --platform ${PLATFORMS.join(',')} --base alpine=oci-layout://${layout.dir}:${layout.tag} -t tty:1 -o type=oci,dest=${join(work, 'out')} --progress tty`,
    `echo "exit=$?" > ${done}`,
    'sleep 600',
  ].join('; ');
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '150', '-y', '40', cmd]);
  for (let i = 0; i < 600 && !existsSync(done); i++) await sleep(200);
  assert.ok(existsSync(done), 'the build finished within two minutes');
  const pane = execFileSync('tmux', ['capture-pane', '-p', '-J', '-S', '-5000', '-t', session], { encoding: 'utf8' });
  const lines = pane.split('\n');
  for (const p of PLATFORMS) {
    const arch = p.split('/')[1]!;
    assert.equal(
      lines.filter((l) => new RegExp(`^\\[${p}\\] layer [0-9a-f]{12} .* ← COPY asset-\\d\\.txt`).test(l)).length,
      6,
      `six intact COPY layer lines for ${p}:\n${pane}`,
    );
    assert.ok(
      lines.some((l) => new RegExp(`^\\[${p}\\] image sha256:[0-9a-f]{64} \\(`).test(l)),
      `the image line for ${p}`,
    );
    assert.ok(
      lines.some((l) => /^\s+linux\/\S+\s+sha256:[0-9a-f]{64}\s/.test(l) && l.includes(p)),
      `the summary row for ${p}`,
    );
    assert.ok(
      lines.some((l) => l.includes(`progress line 8 of the ${arch} build`)),
      `the last RUN line of the ${arch} build`,
    );
  }
  assert.ok(
    lines.some((l) => /^ {2}index sha256:[0-9a-f]{64} in /.test(l)),
    'the summary total',
  );
  for (const l of lines.filter((x) => x.includes(' layer ')))
    assert.doesNotMatch(l, /█|░|\d+\/\d+ (COPY|RUN)/, `a stage row leaked into a permanent line: ${l}`);
});
