import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTreeXattrs } from '../../../../lib/snapshot/tree-xattrs.js';
import { runTool } from '../../../../lib/snapshot/tools.js';
import { formatXattrRestore, parseXattrDump } from '../../../../lib/snapshot/xattr-dump.js';
import { tempDir } from '../../../harness/tmp.js';

// Names getfattr escapes (\, =, newline, CR), spaces and non-ASCII it does not.
const NAMES = ['plain', 'back\\slash', 'eq=ual', 'new\nline', 'cr\rx', 'sp ace', 'ünï'];

test('parseXattrDump reads a real getfattr -R dump, escapes and binary values included', async () => {
  const dir = tempDir();
  for (const n of NAMES) {
    writeFileSync(join(dir, n), '');
    execFileSync('setfattr', ['-n', 'user.v', '-v', '0x00ff800a', join(dir, n)]);
  }
  execFileSync('setfattr', ['-n', 'user.empty', join(dir, 'plain')]);
  execFileSync('setfattr', ['-n', 'user.we=ird', '-v', '1', join(dir, 'plain')]);
  mkdirSync(join(dir, 'sub'));
  symlinkSync('nowhere', join(dir, 'sub/link'));
  execFileSync('setfattr', ['-h', '-n', 'trusted.l', '-v', '2', join(dir, 'sub/link')]);
  const tree = await readTreeXattrs(dir);
  for (const n of NAMES) assert.deepEqual(tree.get(n)?.get('user.v'), Buffer.from([0, 0xff, 0x80, 0x0a]), JSON.stringify(n));
  assert.deepEqual([...tree.get('plain')!.keys()], ['user.empty', 'user.v', 'user.we=ird']);
  assert.deepEqual(tree.get('plain')!.get('user.empty'), Buffer.alloc(0));
  assert.deepEqual(tree.get('sub/link')?.get('trusted.l'), Buffer.from('2'), "a symlink's own xattrs, not its target's");
  assert.equal(tree.has('sub'), false);
});

test('formatXattrRestore output is what setfattr --restore applies, for any name', async () => {
  const dir = tempDir();
  for (const n of NAMES) writeFileSync(join(dir, n), '');
  const records = NAMES.flatMap((n) => [
    { path: join(dir, n), name: 'user.a=b\\c', value: Buffer.from([1, 2, 0x80]) },
    { path: join(dir, n), name: 'user.empty', value: Buffer.alloc(0) },
  ]);
  await runTool('setfattr', ['-h', '--restore=-'], formatXattrRestore(records));
  const back = parseXattrDump(await runTool('getfattr', ['-R', '-h', '-d', '-m', '-', '-e', 'hex', '--absolute-names', dir]));
  const key = (r: { path: string; name: string; value: Buffer }): string => `${r.path}|${r.name}|${r.value.toString('hex')}`;
  assert.deepEqual(back.map(key).sort(), records.map(key).sort());
});

test('runTool: a failing tool is a SnapshotError with its stderr', async () => {
  await assert.rejects(
    runTool('getfattr', ['-d', '/nonexistent/ocibake']),
    (e: unknown) => e instanceof Error && /getfattr .* failed \(exit 1\): .*No such file/.test(e.message),
  );
  await assert.rejects(runTool('ocibake-no-such-tool', []), (e: unknown) => (e as { code?: string }).code === 'OCIBAKE_TOOL_MISSING');
});
