import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveCopy, type CopySpec } from '../../../../lib/context/resolve-copy.js';
import { SourceTree } from '../../../../lib/context/source-tree.js';
import { parseUserDb } from '../../../../lib/context/owner.js';
import { ContextError } from '../../../../lib/context/errors.js';
import type { ContextEntry } from '../../../../lib/context/entry.js';

let dir: string;
let ctx: string;
let tree: SourceTree;
const tmp = (): string => join(dir, 'tmp');

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocibake-ctx-'));
  ctx = join(dir, 'ctx');
  const files: Record<string, string> = {
    'main.go': 'package main\n',
    'go.mod': 'module x\n',
    'src/a.c': 'int a;\n',
    'src/sub/b.c': 'int b;\n',
    'docs/readme.md': '# hi\n',
    'notes.txt': 'n\n',
    'pkg/tool/run.sh': '#!/bin/sh\n',
  };
  for (const [p, c] of Object.entries(files)) {
    mkdirSync(join(ctx, p, '..'), { recursive: true });
    writeFileSync(join(ctx, p), c);
  }
  chmodSync(join(ctx, 'pkg/tool/run.sh'), 0o755);
  symlinkSync('main.go', join(ctx, 'link'));
  symlinkSync('/etc/passwd', join(ctx, 'outside'));
  mkdirSync(join(dir, 'arch/top/d'), { recursive: true });
  writeFileSync(join(dir, 'arch/top/d/f.txt'), 'inside tar\n');
  execFileSync('tar', ['-czf', join(ctx, 'bundle.tar.gz'), '-C', join(dir, 'arch'), 'top']);
  tree = new SourceTree(ctx, 'the build context', { ignores: (p) => p === 'docs' || p.startsWith('docs/') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

const spec = (s: Partial<CopySpec> & { sources: string[]; dest: string }): CopySpec => ({ instruction: 'COPY', workdir: '/', ...s });
const paths = (es: ContextEntry[]): string[] => es.filter((e) => !e.implicit).map((e) => `${e.type[0]} ${e.destPath}`);

test('COPY . copies the context contents, minus .dockerignore', async () => {
  const es = await resolveCopy(spec({ sources: ['.'], dest: '/app' }), tree);
  const ps = paths(es);
  assert.ok(ps.includes('d /app') && ps.includes('f /app/main.go') && ps.includes('f /app/src/sub/b.c'));
  assert.ok(ps.includes('s /app/link'));
  assert.ok(!ps.some((p) => p.includes('docs')), 'docs is ignored');
  assert.equal(es.find((e) => e.destPath === '/app/link')!.linkTarget, 'main.go');
});

test('a directory source copies its contents, not itself', async () => {
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src'], dest: '/s' }), tree)), ['d /s', 'f /s/a.c', 'd /s/sub', 'f /s/sub/b.c']);
});

test('file to dir/ vs file to a file path; relative dest uses WORKDIR', async () => {
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['main.go'], dest: '/app/' }), tree)), ['f /app/main.go']);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['main.go'], dest: '/app/prog.go' }), tree)), ['f /app/prog.go']);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['main.go'], dest: '.', workdir: '/src' }), tree)), ['f /src/main.go']);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['main.go'], dest: '/app' }), tree, { destIsDir: (p) => p === '/app' })), ['f /app/main.go']);
});

test('parents of the destination are listed first as implicit dirs', async () => {
  const es = await resolveCopy(spec({ sources: ['main.go'], dest: '/a/b/c/' }), tree);
  assert.deepEqual(
    es.map((e) => [e.destPath, !!e.implicit]),
    [
      ['/a', true],
      ['/a/b', true],
      ['/a/b/c', true],
      ['/a/b/c/main.go', false],
    ],
  );
});

test('wildcards match per segment; several sources need a / destination', async () => {
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['*.go', 'go.*'], dest: 'w/', workdir: '/x' }), tree)), ['f /x/w/main.go', 'f /x/w/go.mod']);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src/*/b.?'], dest: '/o/' }), tree)), ['f /o/b.c']);
  await assert.rejects(resolveCopy(spec({ sources: ['main.go', 'go.mod'], dest: '/two' }), tree), /needs a directory destination/);
  await assert.rejects(resolveCopy(spec({ sources: ['*.rs'], dest: '/o/' }), tree), ContextError);
});

test('--exclude prunes paths relative to the source; ** reaches any depth', async () => {
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src'], dest: '/s', exclude: ['*.c'] }), tree)), ['d /s', 'd /s/sub', 'f /s/sub/b.c']);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src'], dest: '/s', exclude: ['**/*.c'] }), tree)), ['d /s', 'd /s/sub']);
  const all = paths(await resolveCopy(spec({ sources: ['.'], dest: '/a', exclude: ['src', '*.txt'] }), tree));
  assert.ok(!all.some((p) => p.includes('/a/src') || p.endsWith('.txt')));
});

test('--parents keeps the source path, below a /./ pivot', async () => {
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src/sub/b.c', 'pkg/tool'], dest: '/p/', parents: true }), tree)), [
    'f /p/src/sub/b.c',
    'd /p/pkg/tool',
    'f /p/pkg/tool/run.sh',
  ]);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['src/./sub/b.c'], dest: '/p/', parents: true }), tree)), ['f /p/sub/b.c']);
});

test('--chown/--chmod set owner and mode; source modes are kept otherwise', async () => {
  const es = await resolveCopy(spec({ sources: ['pkg'], dest: '/p', chown: 'app:staff', chmod: '0640' }), tree, {
    users: parseUserDb('app:x:1000:1000::/home/app:/bin/sh\n', 'staff:x:50:\n'),
  });
  for (const e of es) assert.deepEqual([e.uid, e.gid], [1000, 50]);
  assert.equal(es.find((e) => e.destPath === '/p/tool/run.sh')!.mode, 0o640);
  const plain = await resolveCopy(spec({ sources: ['pkg'], dest: '/p' }), tree);
  assert.equal(plain.find((e) => e.destPath === '/p/tool/run.sh')!.mode, 0o755);
  assert.equal(plain[0]!.uid, 0);
  const numeric = await resolveCopy(spec({ sources: ['main.go'], dest: '/m', chown: '42' }), tree);
  assert.deepEqual([numeric[0]!.uid, numeric[0]!.gid], [42, 42]);
  await assert.rejects(resolveCopy(spec({ sources: ['main.go'], dest: '/m', chown: 'nobody' }), tree), /unknown user "nobody"/);
  await assert.rejects(resolveCopy(spec({ sources: ['main.go'], dest: '/m', chmod: 'u+x' }), tree), /not an octal mode/);
});

test('ADD unpacks a local tar.gz; COPY keeps it as a file', async () => {
  const added = await resolveCopy(spec({ instruction: 'ADD', sources: ['bundle.tar.gz'], dest: '/opt/' }), tree, { tmpDir: tmp() });
  assert.deepEqual(paths(added), ['d /opt/top', 'd /opt/top/d', 'f /opt/top/d/f.txt']);
  assert.equal(added.find((e) => e.destPath === '/opt/top/d/f.txt')!.size, 11);
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['bundle.tar.gz'], dest: '/opt/' }), tree)), ['f /opt/bundle.tar.gz']);
});

test('sources are confined to the context; ignored files say so', async () => {
  await assert.rejects(resolveCopy(spec({ sources: ['../../etc/passwd'], dest: '/x' }), tree), /"etc\/passwd" not found/);
  await assert.rejects(resolveCopy(spec({ sources: ['outside'], dest: '/x' }), tree), /points outside/);
  await assert.rejects(
    resolveCopy(spec({ sources: ['docs/readme.md'], dest: '/x' }), tree),
    (e: unknown) => e instanceof ContextError && /\.dockerignore/.test(e.message),
  );
  assert.deepEqual(paths(await resolveCopy(spec({ sources: ['link'], dest: '/l' }), tree)), ['f /l']);
});

test('heredoc sources become inline files', async () => {
  const es = await resolveCopy(
    spec({ sources: ['<<EOF'], dest: '/etc/motd', heredocs: [{ name: 'EOF', content: 'hello\n', quoted: false, chomp: false }] }),
    tree,
  );
  const f = es.find((e) => e.destPath === '/etc/motd')!;
  assert.equal(Buffer.from(f.content!).toString(), 'hello\n');
  assert.equal(f.mode, 0o644);
});

test('heredocs the parser kept out of sources are copied too, after the paths, named as their marker', async () => {
  const one = await resolveCopy(spec({ sources: [], dest: '/etc/motd', heredocs: [{ name: 'EOF', content: 'hi\n', quoted: false, chomp: false }] }), tree);
  assert.deepEqual(
    one.filter((e) => !e.implicit).map((e) => [e.destPath, Buffer.from(e.content!).toString()]),
    [['/etc/motd', 'hi\n']],
  );
  const two = await resolveCopy(
    spec({ sources: ['main.go'], dest: '/app/', heredocs: [{ name: 'conf', content: 'x=1\n', quoted: false, chomp: false }] }),
    tree,
  );
  assert.deepEqual(paths(two), ['f /app/main.go', 'f /app/conf']);
});

test('files sharing an inode are copied once, then hard-linked; a link whose target a later source replaced is a file again', async () => {
  const root = join(dir, 'links');
  mkdirSync(join(root, 'sub'), { recursive: true });
  mkdirSync(join(root, 'd1'));
  mkdirSync(join(root, 'd2'));
  writeFileSync(join(root, 'a'), 'same inode\n');
  linkSync(join(root, 'a'), join(root, 'c'));
  linkSync(join(root, 'a'), join(root, 'sub', 'b'));
  // One name in the copy, the other outside it: nothing to link to.
  writeFileSync(join(root, 'lonely'), 'one name copied\n');
  linkSync(join(root, 'lonely'), join(dir, 'lonely-elsewhere'));
  writeFileSync(join(root, 'd1', 'x'), 'd1 x\n');
  linkSync(join(root, 'd1', 'x'), join(root, 'd1', 'y'));
  writeFileSync(join(root, 'd2', 'x'), 'd2 x\n');
  const t = new SourceTree(root, 'the build context');
  const byPath = (es: ContextEntry[]): Map<string, ContextEntry> => new Map(es.filter((e) => !e.implicit).map((e) => [e.destPath, e]));

  const all = await resolveCopy(spec({ sources: ['a', 'c', 'sub', 'lonely'], dest: '/app/' }), t);
  const m = byPath(all);
  const firsts = ['/app/a', '/app/c', '/app/b'].filter((p) => m.get(p)?.type === 'file');
  assert.deepEqual(firsts, ['/app/a'], 'the first name in copy order holds the bytes');
  for (const p of ['/app/c', '/app/b']) assert.deepEqual([m.get(p)?.type, m.get(p)?.linkTarget], ['hardlink', '/app/a'], p);
  assert.ok(all.findIndex((e) => e.destPath === '/app/a') < all.findIndex((e) => e.destPath === '/app/b'), 'a link comes after its target');
  assert.equal(m.get('/app/lonely')?.type, 'file');

  const replaced = byPath(await resolveCopy(spec({ sources: ['d1/', 'd2/'], dest: '/dst/' }), t));
  assert.equal(replaced.get('/dst/x')?.hostPath, join(root, 'd2', 'x'), 'the later source wins /dst/x');
  assert.deepEqual([replaced.get('/dst/y')?.type, replaced.get('/dst/y')?.linkTarget], ['file', undefined], "y is no longer d2's x: a file of its own");
  assert.equal(replaced.get('/dst/y')?.hostPath, join(root, 'd1', 'y'));
});
