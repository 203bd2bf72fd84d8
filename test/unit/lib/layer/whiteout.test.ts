import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UnsafeArchiveError } from '../../../../lib/layer/errors.js';
import { classifyMember } from '../../../../lib/layer/whiteout.js';

test('classifyMember tells entries, whiteouts and opaque markers apart (image-spec layer.md)', () => {
  const cases: [string, ReturnType<typeof classifyMember>][] = [
    ['./etc/passwd', { kind: 'entry', rel: 'etc/passwd', subject: 'etc/passwd' }],
    ['etc/.wh.motd', { kind: 'whiteout', rel: 'etc/.wh.motd', subject: 'etc/motd', dir: 'etc' }],
    ['.wh.top', { kind: 'whiteout', rel: '.wh.top', subject: 'top', dir: '' }],
    ['opt/.wh..wh..opq', { kind: 'opaque', rel: 'opt/.wh..wh..opq', subject: 'opt/.wh..wh..opq', dir: 'opt' }],
    ['./.wh..wh..opq', { kind: 'opaque', rel: '.wh..wh..opq', subject: '.wh..wh..opq', dir: '' }],
    ['a/.wh.', { kind: 'entry', rel: 'a/.wh.', subject: 'a/.wh.' }],
  ];
  for (const [name, want] of cases) assert.deepEqual(classifyMember(name), want, name);
  for (const bad of ['a/.wh..', '../.wh.x', '/.wh.x']) assert.throws(() => classifyMember(bad), UnsafeArchiveError, bad);
});
