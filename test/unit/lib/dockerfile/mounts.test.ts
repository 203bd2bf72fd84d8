import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMount } from '../../../../lib/dockerfile/mounts.js';
import { InstructionError } from '../../../../lib/dockerfile/build/instruction-error.js';

test('parseMount: defaults, aliases and typed values', () => {
  assert.deepEqual(parseMount('target=/src'), { type: 'bind', target: '/src', readwrite: false });
  assert.deepEqual(parseMount('type=bind,src=.,dst=/src,rw'), { type: 'bind', target: '/src', readwrite: true, source: '.' });
  assert.deepEqual(parseMount('type=cache,target=/c,id=go,sharing=private,mode=0755,uid=1000,gid=1000,ro'), {
    type: 'cache',
    target: '/c',
    readonly: true,
    id: 'go',
    sharing: 'private',
    mode: 0o755,
    uid: 1000,
    gid: 1000,
  });
  assert.deepEqual(parseMount('type=secret,target=/run/secrets/token'), { type: 'secret', id: 'token', required: false, target: '/run/secrets/token' });
  assert.deepEqual(parseMount('type=secret,id=aws,env=AWS_KEY,required=true'), { type: 'secret', id: 'aws', required: true, env: 'AWS_KEY' });
  assert.deepEqual(parseMount('type=secret,source=npmrc,required'), { type: 'secret', id: 'npmrc', required: true });
  assert.deepEqual(parseMount('type=tmpfs,target=/tmp,size=64m'), { type: 'tmpfs', target: '/tmp', size: 64 * 1024 * 1024 });
  assert.deepEqual(parseMount('type=ssh'), { type: 'ssh', required: false });
  assert.deepEqual(parseMount('"type=bind","target=/a,b"'), { type: 'bind', target: '/a,b', readwrite: false });
});

test('parseMount: a bind mount without target is at the working directory (target "")', () => {
  assert.deepEqual(parseMount('ro'), { type: 'bind', target: '', readwrite: false });
  assert.deepEqual(parseMount('type=bind,source=.'), { type: 'bind', target: '', readwrite: false, source: '.' });
  assert.deepEqual(parseMount('readwrite=true'), { type: 'bind', target: '', readwrite: true });
});

const errors: [string, string, RegExp][] = [
  ['unknown type', 'type=volume,target=/v', /unsupported mount type "volume"/],
  ['key for another type', 'type=tmpfs,target=/t,mode=0700', /mode not allowed for "tmpfs" type mounts/],
  ['required on a bind mount', 'type=bind,required', /unexpected key 'required' for mount type 'bind'/],
  ['size on a cache mount', 'type=cache,target=/c,size=1', /unexpected key 'size' for mount type 'cache'/],
  ['typo with suggestion', 'type=cache,targt=/c', /did you mean target/],
  ['bare word', 'type=cache,target=/c,shared', /must be a key=value pair/],
  ['missing cache target', 'type=cache', /needs target=<path>/],
  ['root target', 'type=bind,target=/', /invalid mount target "\/"/],
  ['secret without id or target', 'type=secret', /one of source, target required/],
  ['secret with from', 'type=secret,id=a,from=x', /should not have a from/],
  ['bad sharing', 'type=cache,target=/c,sharing=global', /unsupported sharing value/],
  ['sharing on bind', 'type=bind,sharing=locked', /invalid cache sharing set for bind mount/],
  ['bad mode', 'type=cache,target=/c,mode=rwx', /invalid value rwx for mode/],
  ['bad uid', 'type=cache,target=/c,uid=root', /invalid value root for uid/],
  ['bad bool', 'type=secret,id=a,required=maybe', /invalid value for required: maybe/],
  ['unterminated quote', 'type=bind,"target=/a', /csv/],
];
for (const [name, value, re] of errors) {
  test(`parseMount rejects: ${name}`, () => {
    assert.throws(
      () => parseMount(value),
      (e: unknown) => e instanceof InstructionError && re.test(e.message),
    );
  });
}
