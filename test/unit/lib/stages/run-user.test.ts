import { test } from 'node:test';
import assert from 'node:assert/strict';
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
