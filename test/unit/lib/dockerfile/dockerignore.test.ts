import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDockerignore, parseDockerignore } from '../../../../lib/dockerfile/dockerignore.js';
import { OcibakeError } from '../../../../lib/errors.js';

const table: [string, string, boolean][] = [
  ['node_modules', 'node_modules', true],
  ['node_modules', 'node_modules/a/index.js', true],
  ['node_modules', 'web/node_modules/a.js', false],
  ['**/node_modules', 'web/node_modules/a.js', true],
  ['*.log', 'a.log', true],
  ['*.log', 'logs/a.log', false],
  ['**/*.log', 'logs/deep/a.log', true],
  ['/build/', 'build/out.bin', true],
  ['./build', 'build', true],
  ['build/', 'src/build/x', false],
  ['*/temp*', 'dir/temporary', true],
  ['*/temp*', 'temp', false],
  ['temp?', 'temp1', true],
  ['temp?', 'temp12', false],
  ['[a-c].txt', 'b.txt', true],
  ['[^a-c].txt', 'b.txt', false],
  ['[^a-c].txt', 'd.txt', true],
  ['\\[x\\].md', '[x].md', true],
  ['docs/**', 'docs', false],
  ['docs/**', 'docs/a/b.md', true],
  ['a/**/b', 'a/b', true],
  ['a/**/b', 'a/x/y/b', true],
  ['.git', '.git/HEAD', true],
  ['*', 'anything/at/all', true],
  ['**', 'a/b/c', true],
  ['**/', 'a/b', true],
  ['**.go', 'main.go', true],
  ['**.go', 'a/.go', true],
  ['src/**/*.go', 'src/main.go', true],
  ['src/**/*.go', 'src/a/b/main.go', true],
  ['src/**/*.go', 'src/a/b/main.c', false],
];
for (const [pattern, path, want] of table) {
  test(`dockerignore ${JSON.stringify(pattern)} ${want ? 'ignores' : 'keeps'} ${path}`, () => {
    assert.equal(parseDockerignore(pattern).ignores(path), want);
  });
}

test('dockerignore exceptions: the last matching line wins, and can re-include under an ignored dir', () => {
  const ig = parseDockerignore('*.md\n!README.md\nREADME*.md\n!README-keep.md\ndocs\n!docs/keep.txt\n');
  assert.equal(ig.ignores('CHANGES.md'), true);
  assert.equal(ig.ignores('README.md'), true, 'README*.md after !README.md ignores it again');
  assert.equal(ig.ignores('README-keep.md'), false);
  assert.equal(ig.ignores('docs/a.txt'), true);
  assert.equal(ig.ignores('docs/keep.txt'), false);
  assert.equal(ig.hasExceptions, true);
});

test('dockerignore skips comments and blank lines, records line numbers', () => {
  const ig = parseDockerignore('# comment\n\n  spaced.txt  \n!keep\n');
  assert.deepEqual(
    ig.patterns.map((p) => [p.pattern, p.exception, p.line]),
    [
      ['spaced.txt', false, 3],
      ['keep', true, 4],
    ],
  );
  assert.equal(ig.ignores('spaced.txt'), true);
});

test('dockerignore rejects malformed patterns with file and line', () => {
  assert.throws(
    () => parseDockerignore('ok\n[abc\n', 'ctx/.dockerignore'),
    (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_DOCKERIGNORE' && /ctx\/\.dockerignore:2:/.test(e.message),
  );
  assert.throws(
    () => parseDockerignore('!\n'),
    (e: unknown) => e instanceof OcibakeError && /illegal exclusion/.test(e.message),
  );
});

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

test('loadDockerignore prefers <Dockerfile>.dockerignore over <context>/.dockerignore', async () => {
  const ctx = await mkdtemp(join(tmpdir(), 'ocibake-ignore-'));
  dirs.push(ctx);
  await writeFile(join(ctx, '.dockerignore'), 'from-context\n');
  const none = await loadDockerignore(ctx, join(ctx, 'Dockerfile'));
  assert.equal(none.file, join(ctx, '.dockerignore'));
  assert.equal(none.ignores('from-context'), true);
  await writeFile(join(ctx, 'app.Dockerfile.dockerignore'), 'from-dockerfile\n');
  const specific = await loadDockerignore(ctx, join(ctx, 'app.Dockerfile'));
  assert.equal(specific.file, join(ctx, 'app.Dockerfile.dockerignore'));
  assert.equal(specific.ignores('from-dockerfile'), true);
  assert.equal(specific.ignores('from-context'), false);
  const empty = await loadDockerignore(join(ctx, 'missing'));
  assert.equal(empty.ignores('anything'), false);
  assert.equal(empty.file, undefined);
});

test('dockerignore matching is linear: a backtracking-hostile pattern answers at once', () => {
  const ig = parseDockerignore(`${'*a'.repeat(30)}*b\n**/**/**/**/**/**/x\n`);
  const started = performance.now();
  assert.equal(ig.ignores('a'.repeat(200)), false);
  assert.equal(ig.ignores(`${'d/'.repeat(100)}y`), false);
  assert.equal(ig.ignores(`${'d/'.repeat(100)}x`), true);
  assert.ok(performance.now() - started < 1000, `took ${performance.now() - started} ms`);
});

test('dockerignore character classes: negation, escapes, ranges', () => {
  assert.equal(parseDockerignore('[!x].txt').ignores('!.txt'), true, '! is a literal, as in Go');
  assert.equal(parseDockerignore('[\\]a].txt').ignores('].txt'), true, 'an escaped ] is a member');
  assert.equal(parseDockerignore('file[0-9].log').ignores('file7.log'), true);
  assert.throws(() => parseDockerignore('[]a].txt'), /syntax error in pattern/, 'Go rejects a leading ]');
  assert.throws(() => parseDockerignore('[z-a]'), /invalid character class range/);
});

/** moby patternmatcher's translation (regexp plus its exact, prefix and suffix shortcuts), as a reference for the DP matcher. */
function mobyMatcher(p: string): (path: string) => boolean {
  let re = '^';
  let type = 'exact';
  for (let i = 0, step = 0; i < p.length; i++, step++) {
    const ch = p[i]!;
    if (ch === '*') {
      if (p[i + 1] === '*') {
        i++;
        if (p[i + 1] === '/') i++;
        if (i + 1 >= p.length) {
          if (type === 'exact') type = 'prefix';
          else {
            re += '.*';
            type = 'regexp';
          }
        } else {
          re += '(.*/)?';
          type = 'regexp';
        }
        if (step === 0) type = 'suffix';
      } else {
        re += '[^/]*';
        type = 'regexp';
      }
    } else if (ch === '?') {
      re += '[^/]';
      type = 'regexp';
    } else if (ch === '.' || ch === '$') re += `\\${ch}`;
    else if (ch === '[') {
      const end = p.indexOf(']', i + 2);
      re += p.slice(i, end + 1);
      i = end;
      type = 'regexp';
    } else re += ch;
  }
  if (type === 'exact') return (path) => path === p;
  if (type === 'prefix') return (path) => path.startsWith(p.slice(0, -2));
  if (type === 'suffix') return (path) => path.endsWith(p.slice(2)) || (p.slice(2).startsWith('/') && path === p.slice(3));
  const rx = new RegExp(`${re}$`);
  return (path) => rx.test(path);
}

test("dockerignore DP matcher agrees with moby's translation on 5,000 random pattern/path pairs", () => {
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
  const parts = ['a', 'b', '/', '*', '**', '**/', '?', '[ab]', '[^a]', '.', 'a/'];
  let checked = 0;
  for (let k = 0; k < 5000; k++) {
    let pattern = '';
    for (let n = 1 + rnd(6); n > 0; n--) pattern += pick(parts);
    let path = '';
    for (let n = 1 + rnd(8); n > 0; n--) path += pick(['a', 'b', '/', '.']);
    if (path.includes('//') || path.startsWith('/') || path.endsWith('/') || /(^|\/)\.\.?(\/|$)/.test(path)) continue;
    const ig = parseDockerignore(pattern);
    const p = ig.patterns[0];
    if (!p) continue;
    assert.equal(p.matches(path), mobyMatcher(p.pattern)(path), `pattern ${JSON.stringify(p.pattern)} path ${JSON.stringify(path)}`);
    checked++;
  }
  assert.ok(checked > 1000, `only ${checked} pairs checked`);
});
