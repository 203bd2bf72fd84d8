import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OcibakeError } from '../../../../lib/errors.js';
import { resolveRunUser } from '../../../../lib/stages/run-user.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001:app:/home/app:/bin/sh\nsvc:x:200:50::/srv:/sbin/nologin\n';
const GROUP = 'root:x:0:\nwheel:x:10:app,svc\napp:x:10001:\nstaff:x:50:\ndocker:x:999:app\n';

const cases: { spec: string | undefined; want: ReturnType<typeof resolveRunUser> | RegExp }[] = [
  { spec: undefined, want: { uid: 0, gid: 0, groups: [0], home: '/root' } },
  { spec: 'app', want: { uid: 10001, gid: 10001, groups: [10001, 10, 999], home: '/home/app' } },
  { spec: '10001', want: { uid: 10001, gid: 10001, groups: [10001, 10, 999], home: '/home/app' } },
  { spec: 'app:staff', want: { uid: 10001, gid: 50, groups: [50], home: '/home/app' } },
  { spec: 'svc:7', want: { uid: 200, gid: 7, groups: [7], home: '/srv' } },
  { spec: '4242', want: { uid: 4242, gid: 0, groups: [0], home: '/' } },
  { spec: '4242:4242', want: { uid: 4242, gid: 4242, groups: [4242], home: '/' } },
  { spec: 'nobody', want: /unable to find user nobody/ },
  { spec: 'app:nogroup', want: /unable to find group nogroup/ },
];
for (const c of cases) {
  test(`USER ${c.spec ?? '(none)'}`, () => {
    if (c.want instanceof RegExp) assert.throws(() => resolveRunUser(c.spec, PASSWD, GROUP), c.want);
    else assert.deepEqual(resolveRunUser(c.spec, PASSWD, GROUP), c.want);
  });
}

test('USER root (and 0, 0:0, none) is root with the home /etc/passwd gives root, /root without one', () => {
  const passwd = 'root:x:0:0:root:/var/root:/bin/sh\n';
  for (const spec of [undefined, '', 'root', '0', '0:0'])
    assert.deepEqual(resolveRunUser(spec, passwd, GROUP), { uid: 0, gid: 0, groups: [0], home: '/var/root' }, String(spec));
  assert.deepEqual(resolveRunUser('root', '', ''), { uid: 0, gid: 0, groups: [0], home: '/root' }, 'an image without /etc/passwd');
  assert.deepEqual(resolveRunUser('0:50', PASSWD, GROUP), { uid: 0, gid: 50, groups: [50], home: '/root' }, 'root with another group');
});

test('USER: malformed passwd and group lines are skipped, an empty home is /, a primary group listing its user is not repeated', () => {
  const passwd = [
    'broken',
    'short:x:1:1',
    'bad:x:abc:1::/h:/bin/sh',
    'bad2:x:5:xyz::/h:/bin/sh',
    'nohome:x:300:300:::/bin/sh',
    'app:x:10001:10001:app:/home/app:/bin/sh',
    '',
  ].join('\n');
  const group = ['junk', 'bad:x:zz:app', 'app:x:10001:app', 'wheel:x:10:svc,app', 'docker:x:999:app,app'].join('\n');
  assert.deepEqual(resolveRunUser('app', passwd, group), { uid: 10001, gid: 10001, groups: [10001, 10, 999], home: '/home/app' });
  assert.deepEqual(resolveRunUser('nohome', passwd, group), { uid: 300, gid: 300, groups: [300], home: '/' });
  assert.throws(() => resolveRunUser('bad', passwd, group), /unable to find user bad/, 'a line with a non-numeric uid is not a user');
  assert.deepEqual(resolveRunUser('5', passwd, group), { uid: 5, gid: 0, groups: [0], home: '/' }, 'nor is one with a non-numeric gid');
});

test('USER name: (an empty group) is the user with its own groups; a numeric group need not exist', () => {
  assert.deepEqual(resolveRunUser('app:', PASSWD, GROUP), { uid: 10001, gid: 10001, groups: [10001, 10, 999], home: '/home/app' });
  assert.deepEqual(resolveRunUser('app:4242', PASSWD, GROUP), { uid: 10001, gid: 4242, groups: [4242], home: '/home/app' });
  assert.deepEqual(resolveRunUser('4242:wheel', PASSWD, GROUP), { uid: 4242, gid: 10, groups: [10], home: '/' }, 'an unlisted uid with a named group');
});

test('USER errors say what to do', () => {
  assert.throws(
    () => resolveRunUser('ghost', PASSWD, GROUP),
    (e: unknown) =>
      e instanceof OcibakeError &&
      e.code === 'OCIBAKE_EXEC' &&
      /^USER ghost: unable to find user ghost: no matching entries in the stage's \/etc\/passwd$/.test(e.message) &&
      /numeric uid/.test(e.hint ?? ''),
  );
  assert.throws(
    () => resolveRunUser('app:ghosts', PASSWD, GROUP),
    (e: unknown) =>
      e instanceof OcibakeError &&
      /unable to find group ghosts: no matching entries in the stage's \/etc\/group/.test(e.message) &&
      /numeric gid/.test(e.hint ?? ''),
  );
});

test('root gets the groups /etc/group lists it in, as in Docker; an explicit group replaces them', () => {
  const group = 'root:x:0:root\nbin:x:1:root,bin,daemon\nwheel:x:10:root\nstaff:x:50:\n';
  assert.deepEqual(resolveRunUser(undefined, PASSWD, group), { uid: 0, gid: 0, groups: [0, 1, 10], home: '/root' });
  assert.deepEqual(resolveRunUser('root', PASSWD, group).groups, [0, 1, 10]);
  assert.deepEqual(resolveRunUser('0:0', PASSWD, group).groups, [0]);
});
