import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { mappingKey, rangeMapping, subordinateRange, unshareMapArgs, type IdMapping } from '../../../../lib/sandbox/id-map.js';

const me = userInfo();
const reader =
  (text: string, seen: string[] = []) =>
  (f: string) => {
    seen.push(f);
    return text;
  };

test('subordinateRange: the first line of this user, by name or by uid, as shadow-utils matches', () => {
  const seen: string[] = [];
  assert.deepEqual(subordinateRange('/etc/subuid', reader(`other:1:2\n${me.username}:100000:65536\n${me.username}:900000:10\n`, seen)), {
    start: 100000,
    count: 65536,
  });
  assert.deepEqual(seen, ['/etc/subuid'], 'reads the file it was asked for');
  assert.deepEqual(subordinateRange('/etc/subgid', reader(`${me.uid}:200000:1000\n`)), { start: 200000, count: 1000 });
  assert.deepEqual(subordinateRange('/etc/subuid', reader(`  ${me.username}:5:6  \n`)), { start: 5, count: 6 }, 'surrounding blanks are ignored');
});

test('subordinateRange: other users, malformed and empty ranges are skipped', () => {
  const n = me.username;
  assert.equal(subordinateRange('/etc/subuid', reader('')), undefined);
  assert.equal(subordinateRange('/etc/subuid', reader('someone:100000:65536\n1234567:1:1\n')), undefined);
  assert.equal(subordinateRange('/etc/subuid', reader(`${n}\n${n}:100000\n${n}:abc:10\n${n}:1:zero\n${n}:1:0\n${n}:1.5:3\n`)), undefined);
  assert.deepEqual(
    subordinateRange('/etc/subuid', reader(`${n}:1:0\n${n}:abc:10\n${n}:300000:7\n`)),
    { start: 300000, count: 7 },
    'the first usable line after bad ones',
  );
  assert.equal(subordinateRange('/etc/subuid', reader(`${n}x:1:2\nx${n}:3:4\n`)), undefined, 'a name must match whole');
});

test('subordinateRange: an unreadable file is no range', () => {
  assert.equal(
    subordinateRange('/etc/subuid', () => {
      throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
    }),
    undefined,
  );
});

test('rangeMapping: root is the user, 1… the range (at most 65536 ids)', () => {
  assert.deepEqual(rangeMapping(1001, 1002, { start: 100000, count: 65536 }, { start: 200000, count: 10 }), {
    uids: [
      { inner: 0, outer: 1001, count: 1 },
      { inner: 1, outer: 100000, count: 65536 },
    ],
    gids: [
      { inner: 0, outer: 1002, count: 1 },
      { inner: 1, outer: 200000, count: 10 },
    ],
  });
  assert.equal(rangeMapping(1, 1, { start: 100000, count: 1_000_000 }, { start: 100000, count: 65537 }).uids[1]!.count, 65536);
  assert.equal(rangeMapping(1, 1, { start: 100000, count: 1_000_000 }, { start: 100000, count: 65537 }).gids[1]!.count, 65536);
});

test('unshareMapArgs: --map-root-user plus one --map-users/--map-groups per non-root range', () => {
  const m = rangeMapping(1001, 1001, { start: 100000, count: 65536 }, { start: 300000, count: 500 });
  assert.deepEqual(unshareMapArgs(m), ['--user', '--map-root-user', '--map-users=100000,1,65536', '--map-groups=300000,1,500']);
  const single: IdMapping = { uids: [{ inner: 0, outer: 1001, count: 1 }], gids: [{ inner: 0, outer: 1001, count: 1 }] };
  assert.deepEqual(unshareMapArgs(single), ['--user', '--map-root-user']);
});

test('unshareMapArgs: util-linux unshare makes exactly that mapping (as obrange, with its /etc/subuid range)', () => {
  const uid = Number(execFileSync('id', ['-u', 'obrange'], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', 'obrange'], { encoding: 'utf8' }));
  const range = (file: string) => {
    const line = execFileSync('grep', ['^obrange:', file], { encoding: 'utf8' }).split('\n')[0]!;
    const [, s, c] = line.split(':');
    return { start: Number(s), count: Number(c) };
  };
  const m = rangeMapping(uid, gid, range('/etc/subuid'), range('/etc/subgid'));
  const out = execFileSync(
    'setpriv',
    [
      `--reuid=${uid}`,
      `--regid=${gid}`,
      '--clear-groups',
      '--',
      'unshare',
      ...unshareMapArgs(m),
      '--',
      'sh',
      '-c',
      'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map; echo --; id -u',
    ],
    {
      encoding: 'utf8',
    },
  );
  const rows = (s: string) =>
    s
      .trim()
      .split('\n')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .sort((a, b) => a[0]! - b[0]!);
  const [uidMap = '', gidMap = '', id = ''] = out.split('--\n');
  assert.deepEqual(
    rows(uidMap),
    m.uids.map((r) => [r.inner, r.outer, r.count]),
  );
  assert.deepEqual(
    rows(gidMap),
    m.gids.map((r) => [r.inner, r.outer, r.count]),
  );
  assert.equal(id.trim(), '0');
});

test('mappingKey: "host" without a mapping; every range named, so two mappings never share snapshots', () => {
  assert.equal(mappingKey(undefined), 'host');
  const a = rangeMapping(1001, 1001, { start: 100000, count: 65536 }, { start: 100000, count: 65536 });
  assert.equal(mappingKey(a), 'u0:1001:1,1:100000:65536;g0:1001:1,1:100000:65536');
  const b = rangeMapping(1001, 1001, { start: 100000, count: 65536 }, { start: 200000, count: 65536 });
  assert.notEqual(mappingKey(a), mappingKey(b));
  assert.notEqual(mappingKey({ uids: a.uids, gids: a.uids.slice(0, 1) }), mappingKey(a));
});
