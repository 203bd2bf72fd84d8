import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ContextError } from '../../../../lib/context/errors.js';
import { parseDockerignore } from '../../../../lib/dockerfile/dockerignore.js';
import { contextMask } from '../../../../lib/stages/context-mask.js';
import { tempDir } from '../../../harness/tmp.js';
import { mountsUnder } from '../sandbox/busybox-rootfs.js';

const work = tempDir('ocibake-mask-');
after(() => assert.deepEqual(mountsUnder(work), [], 'no mount is left behind'));

/** A build context with the given files (`dir/` entries are directories). */
function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(work, 'ctx-'));
  for (const [p, content] of Object.entries(files)) {
    if (p.endsWith('/')) mkdirSync(join(dir, p), { recursive: true });
    else {
      mkdirSync(join(dir, p, '..'), { recursive: true });
      writeFileSync(join(dir, p), content);
    }
  }
  return dir;
}
const maskDir = (): string => join(mkdtempSync(join(work, 'scratch-')), 'mask');

/** Every whiteout under a mask dir (relative paths), and anything that is not a whiteout or a directory. */
function whiteouts(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(dir, rel)).sort()) {
    const r = rel ? `${rel}/${name}` : name;
    const st = lstatSync(join(dir, r));
    if (st.isDirectory()) out.push(...whiteouts(dir, r));
    else if (st.isCharacterDevice() && st.rdev === 0) out.push(r);
    else out.push(`NOT A WHITEOUT: ${r}`);
  }
  return out;
}

/** What a read-only overlay of the mask above the source shows, as sorted relative paths. */
function mounted(source: string, mask: string): string[] {
  const m = mkdtempSync(join(work, 'merged-'));
  const out = execFileSync(
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      `mount -t overlay overlay -o "lowerdir=${mask}:${source}" "${m}" && cd "${m}" && find . -mindepth 1 | sort`,
    ],
    { encoding: 'utf8' },
  );
  return out
    .split('\n')
    .filter(Boolean)
    .map((l) => l.slice(2));
}

const none = parseDockerignore('');

test('contextMask: the whole context, nothing excluded: the context itself, no mask', async () => {
  const ctx = context({ 'a.txt': 'a', 'src/main.go': 'package main' });
  const md = maskDir();
  assert.deepEqual(await contextMask(ctx, '/', none, md), { source: realpathSync(ctx), file: false, dir: md, masked: false });
  assert.deepEqual(readdirSync(md), [], 'the mask dir exists, empty');
  const md2 = maskDir();
  assert.deepEqual(await contextMask(ctx, '/src', none, md2), { source: join(realpathSync(ctx), 'src'), file: false, dir: md2, masked: false });
});

test('contextMask: a file source is bound as a file', async () => {
  const ctx = context({ 'go.mod': 'module x\n' });
  const md = maskDir();
  assert.deepEqual(await contextMask(ctx, 'go.mod', none, md), { source: join(realpathSync(ctx), 'go.mod'), file: true, dir: md, masked: false });
});

test('contextMask: a missing source, one outside the context, and an excluded one are ContextErrors with hints', async () => {
  const ctx = context({ 'a.txt': 'a', 'secret/key': 'k' });
  const outside = mkdtempSync(join(work, 'outside-'));
  symlinkSync(outside, join(ctx, 'escape'));
  symlinkSync('../../..', join(ctx, 'up'));
  const isCtx = (re: RegExp, hint: RegExp) => (e: unknown) =>
    e instanceof ContextError && e.code === 'OCIBAKE_CONTEXT' && re.test(e.message) && hint.test(e.hint ?? '');
  await assert.rejects(
    contextMask(ctx, '/nope', none, maskDir()),
    isCtx(/RUN --mount=type=bind: source \/nope not found in the build context/, /relative to the build context/),
  );
  await assert.rejects(contextMask(ctx, '/escape', none, maskDir()), isCtx(/source \/escape points outside the build context/, /inside the build context/));
  await assert.rejects(contextMask(ctx, '/up', none, maskDir()), isCtx(/points outside the build context/, /./));
  await assert.rejects(
    contextMask(ctx, '/secret', parseDockerignore('secret\n'), maskDir()),
    isCtx(/source \/secret is excluded by \.dockerignore/, /\.dockerignore/),
  );
  await assert.rejects(
    contextMask(ctx, '/secret/key', parseDockerignore('secret\n'), maskDir()),
    isCtx(/is excluded by \.dockerignore/, /./),
    'inside an excluded directory',
  );
});

test('contextMask: each excluded path below the source becomes one whiteout; the mount shows the context without them', async () => {
  const ctx = context({
    'main.go': 'x',
    'app.log': 'l',
    'sub/x.log': 'l',
    'sub/keep.go': 'k',
    'node_modules/a/index.js': 'j',
    'secret/key': 'k',
    'empty/': '',
  });
  const md = maskDir();
  const ignore = parseDockerignore('**/*.log\nnode_modules\nsecret/\n');
  const m = await contextMask(ctx, '/', ignore, md);
  assert.equal(m.masked, true);
  assert.deepEqual(whiteouts(md), ['app.log', 'node_modules', 'secret', 'sub/x.log'], 'a whole directory is one whiteout; no template node is left');
  assert.deepEqual(mounted(m.source, md), ['empty', 'main.go', 'sub', 'sub/keep.go']);
  assert.deepEqual(readdirSync(ctx).sort(), ['app.log', 'empty', 'main.go', 'node_modules', 'secret', 'sub'], 'the context is never written');
});

test('contextMask: a source below the root: paths are matched from the context root, whiteouts made relative to the source', async () => {
  const ctx = context({ 'app/src/a.go': 'a', 'app/tmp/cache': 'c', 'tmp/other': 'o' });
  const md = maskDir();
  const m = await contextMask(ctx, '/app', parseDockerignore('app/tmp\ntmp\n'), md);
  assert.equal(m.source, join(realpathSync(ctx), 'app'));
  assert.deepEqual(whiteouts(md), ['tmp']);
  assert.deepEqual(mounted(m.source, md), ['src', 'src/a.go']);
});

test('contextMask: with an exception pattern an excluded directory is walked, and only its excluded files are hidden', async () => {
  const ctx = context({ 'secret/key': 'k', 'secret/public.txt': 'p', 'secret/deep/x': 'x', 'a.txt': 'a' });
  const md = maskDir();
  const m = await contextMask(ctx, '/', parseDockerignore('secret\n!secret/public.txt\n'), md);
  assert.deepEqual(whiteouts(md), ['secret/deep/x', 'secret/key']);
  assert.deepEqual(mounted(m.source, md), ['a.txt', 'secret', 'secret/deep', 'secret/public.txt']);
});

test('contextMask: a source that is a symlink inside the context is masked by the paths it points to', async () => {
  // .dockerignore names real paths: BuildKit's context has no real/secret.txt, so mounting link/ (→ real/) cannot show it.
  const ctx = context({ 'real/secret.txt': 's', 'real/ok.txt': 'o' });
  symlinkSync('real', join(ctx, 'link'));
  const md = maskDir();
  const m = await contextMask(ctx, '/link', parseDockerignore('real/secret.txt\n'), md);
  assert.equal(m.source, join(realpathSync(ctx), 'real'));
  assert.deepEqual(mounted(m.source, md), ['ok.txt']);
});
