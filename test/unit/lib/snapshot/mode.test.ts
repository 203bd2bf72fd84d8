import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isOverlayXattr, opaqueXattr, overlayMountOptions } from '../../../../lib/snapshot/mode.js';

test('overlayMountOptions: top-most lower first, upper/work when read-write, userxattr in a user namespace', () => {
  assert.equal(overlayMountOptions('root', ['/s/a/fs', '/s/b/fs']), 'lowerdir=/s/b/fs:/s/a/fs');
  assert.equal(overlayMountOptions('userns', ['/s/a/fs'], { upper: '/t/u', work: '/t/w' }), 'lowerdir=/s/a/fs,upperdir=/t/u,workdir=/t/w,userxattr');
  assert.throws(() => overlayMountOptions('root', ['/s/a:b']), /contains , : or/);
});

test('opaqueXattr and isOverlayXattr', () => {
  assert.deepEqual([opaqueXattr('root'), opaqueXattr('userns')], ['trusted.overlay.opaque', 'user.overlay.opaque']);
  const names = ['trusted.overlay.origin', 'user.overlay.impure', 'user.fuseoverlayfs.opaque', 'security.capability', 'user.overlayish', 'trusted.md5'];
  assert.deepEqual(names.map(isOverlayXattr), [true, true, true, false, false, false]);
});
