// ADD of a hostile local archive: nothing outside the destination is ever created or changed,
// whatever the archive's symlinks and hard links say, and the entries are what BuildKit puts in
// the image (members resolved inside the extraction root) or a clear refusal where BuildKit refuses.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readArchive, sniffArchive } from '../../../../lib/context/archive.js';
import { writeEntries } from '../../../../lib/context/write-entries.js';
import { ContextError } from '../../../../lib/context/errors.js';
import type { ContextEntry } from '../../../../lib/context/entry.js';
import { COMPRESSIONS, writeArchive, type RawMember } from '../../../harness/hostile-tar.js';

let work: string;
let outside: string;
let n = 0;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-archive-'));
  outside = join(work, 'outside');
  mkdirSync(join(outside, 'dir'), { recursive: true });
  writeFileSync(join(outside, 'victim.txt'), 'original\n');
});
after(() => rmSync(work, { recursive: true, force: true }));

/** Everything under `outside`, with contents, to prove nothing there changed. */
function snapshotOutside(): string {
  const walk = (d: string): string[] =>
    readdirSync(d)
      .sort()
      .flatMap((name) => {
        const p = join(d, name);
        const st = lstatSync(p);
        return st.isDirectory() ? [`${p}/`, ...walk(p)] : [`${p} ${st.isSymbolicLink() ? 'link' : readFileSync(p, 'utf8')}`];
      });
  return walk(outside).join('\n');
}

async function add(members: RawMember[], compression: (typeof COMPRESSIONS)[number]): Promise<ContextEntry[]> {
  const file = writeArchive(join(work, `a${n++}.archive`), members, compression);
  const kind = await sniffArchive(file);
  assert.ok(kind, `${compression} archive is recognised`);
  const spool = join(work, `spool${n++}`);
  mkdirSync(spool);
  return readArchive(file, kind, '/dest', spool, 'evil.tar');
}

const summary = (es: ContextEntry[]): string[] =>
  es.map(
    (e) =>
      `${e.type} ${e.destPath}${e.linkTarget ? ` -> ${e.linkTarget}` : ''}${e.hostPath && e.type === 'file' ? ` = ${readFileSync(e.hostPath, 'utf8')}` : ''}`,
  );

for (const compression of COMPRESSIONS) {
  test(`${compression}: a member written through the archive's own absolute symlink lands inside the extraction root`, async () => {
    const before = snapshotOutside();
    const es = await add(
      [
        { type: 'symlink', name: 'd', target: join(outside, 'dir') },
        { type: 'file', name: 'd/x', body: 'planted' },
      ],
      compression,
    );
    const rel = join(outside, 'dir').slice(1);
    assert.ok(summary(es).includes(`file /dest/${rel}/x = planted`), summary(es).join('\n'));
    assert.ok(summary(es).includes(`symlink /dest/d -> ${join(outside, 'dir')}`));
    assert.equal(snapshotOutside(), before);
  });

  test(`${compression}: a regular member replaces a symlink of the same name instead of writing through it`, async () => {
    const before = snapshotOutside();
    const es = await add(
      [
        { type: 'symlink', name: 'v', target: join(outside, 'victim.txt') },
        { type: 'file', name: 'v', body: 'pwned' },
      ],
      compression,
    );
    assert.deepEqual(summary(es), ['file /dest/v = pwned']);
    assert.equal(snapshotOutside(), before);
  });

  test(`${compression}: relative symlinks and chains that climb out are refused; absolute chains restart at the root`, async () => {
    await assert.rejects(
      add(
        [
          { type: 'symlink', name: 'r', target: '../../../../..' },
          { type: 'file', name: 'r/x', body: 'x' },
        ],
        compression,
      ),
      (e: unknown) => e instanceof ContextError && /"r\/x".*points outside the extraction root/.test(e.message),
    );
    await assert.rejects(
      add(
        [
          { type: 'symlink', name: 'a', target: 'b' },
          { type: 'symlink', name: 'b', target: '../..' },
          { type: 'file', name: 'a/x', body: 'x' },
        ],
        compression,
      ),
      /points outside the extraction root/,
    );
    const es = await add(
      [
        { type: 'symlink', name: 'a', target: 'b' },
        { type: 'symlink', name: 'b', target: '/' },
        { type: 'file', name: 'a/etc/passwd', body: 'root' },
      ],
      compression,
    );
    assert.ok(summary(es).includes('file /dest/etc/passwd = root'), summary(es).join('\n'));
  });

  test(`${compression}: a hard link through a symlinked directory cannot reach a host file`, async () => {
    const before = snapshotOutside();
    await assert.rejects(
      add(
        [
          { type: 'symlink', name: 's', target: outside },
          { type: 'hardlink', name: 'h', target: 's/victim.txt' },
        ],
        compression,
      ),
      /hard link target .* is not in the archive/,
    );
    await assert.rejects(add([{ type: 'hardlink', name: 'h', target: '../outside/victim.txt' }], compression), /leaves the extraction root/);
    assert.equal(snapshotOutside(), before);
  });

  test(`${compression}: names with .. that leave the root are refused, a leading / is dropped, devices are refused`, async () => {
    await assert.rejects(
      add([{ type: 'file', name: '../escape.txt', body: 'x' }], compression),
      (e: unknown) => e instanceof ContextError && /"\.\.\/escape\.txt": the path leaves the extraction root/.test(e.message),
    );
    await assert.rejects(add([{ type: 'file', name: 'a/../../escape.txt', body: 'x' }], compression), /leaves the extraction root/);
    assert.deepEqual(summary(await add([{ type: 'file', name: '/abs/f', body: 'y' }], compression)), ['dir /dest/abs', 'file /dest/abs/f = y']);
    await assert.rejects(add([{ type: 'char', name: 'null' }], compression), /character-device entries cannot be added/);
  });
}

test('hard links inside the archive stay hard links; one whose target is replaced keeps its old bytes', async () => {
  const es = await add(
    [
      { type: 'file', name: 'bin/tool', body: 'v1', mode: 0o755 },
      { type: 'hardlink', name: 'bin/alias', target: 'bin/tool' },
      { type: 'hardlink', name: 'bin/old', target: 'bin/tool' },
    ],
    'gzip',
  );
  assert.deepEqual(summary(es), [
    'dir /dest/bin',
    'file /dest/bin/tool = v1',
    'hardlink /dest/bin/alias -> /dest/bin/tool',
    'hardlink /dest/bin/old -> /dest/bin/tool',
  ]);
  const replaced = await add(
    [
      { type: 'file', name: 't', body: 'old' },
      { type: 'hardlink', name: 'l', target: 't' },
      { type: 'file', name: 't', body: 'new' },
    ],
    'tar',
  );
  assert.deepEqual(summary(replaced), ['file /dest/l = old', 'file /dest/t = new']);
});

test('a directory replaced by a file loses its children; a directory entry follows a symlink to a directory', async () => {
  const es = await add(
    [
      { type: 'dir', name: 'a' },
      { type: 'file', name: 'a/x', body: 'x' },
      { type: 'file', name: 'a', body: 'now a file' },
    ],
    'tar',
  );
  assert.deepEqual(summary(es), ['file /dest/a = now a file']);
  const followed = await add(
    [
      { type: 'dir', name: 'real' },
      { type: 'symlink', name: 'l', target: 'real' },
      { type: 'dir', name: 'l', mode: 0o700 },
      { type: 'file', name: 'l/f', body: 'in real' },
    ],
    'tar',
  );
  assert.deepEqual(summary(followed), ['dir /dest/real', 'symlink /dest/l -> real', 'file /dest/real/f = in real']);
  assert.equal(followed[0]!.mode, 0o700);
});

test('owners and modes come from the headers; parents the archive implies are 0755 root', async () => {
  const es = await add([{ type: 'file', name: 'deep/er/f', body: 'z', mode: 0o4750, uid: 1000, gid: 50 }], 'tar');
  assert.deepEqual(
    es.map((e) => [e.destPath, e.mode.toString(8), e.uid, e.gid]),
    [
      ['/dest/deep', '755', 0, 0],
      ['/dest/deep/er', '755', 0, 0],
      ['/dest/deep/er/f', '4750', 1000, 50],
    ],
  );
});

test('writeEntries resolves symlinks of the stage inside the stage, never on the host', async () => {
  const before = snapshotOutside();
  const stage = join(work, 'stage');
  mkdirSync(stage);
  symlinkSync(outside, join(stage, 'x'));
  symlinkSync(join(outside, 'victim.txt'), join(stage, 'v'));
  const src = join(work, 'payload');
  writeFileSync(src, 'payload');
  await writeEntries(stage, [
    { type: 'file', destPath: '/x/victim.txt', hostPath: src, mode: 0o644, uid: 0, gid: 0, size: 7 },
    { type: 'file', destPath: '/v', content: Buffer.from('replaced the link'), mode: 0o644, uid: 0, gid: 0, size: 17 },
    { type: 'dir', destPath: '/x/newdir', mode: 0o755, uid: 0, gid: 0, size: 0 },
  ]);
  assert.equal(snapshotOutside(), before);
  assert.equal(readFileSync(join(stage, outside, 'victim.txt'), 'utf8'), 'payload');
  assert.ok(lstatSync(join(stage, outside, 'newdir')).isDirectory());
  assert.equal(readFileSync(join(stage, 'v'), 'utf8'), 'replaced the link');
  assert.ok(!lstatSync(join(stage, 'v')).isSymbolicLink());
});
