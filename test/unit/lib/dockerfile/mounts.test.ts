import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMount } from '../../../../lib/dockerfile/mounts.js';
import { FlagError } from '../../../../lib/dockerfile/flags.js';

test('parseMount: defaults, aliases and typed values', () => {
  assert.deepEqual(parseMount('target=/src'), { type: 'bind', target: '/src', readwrite: false });
  assert.deepEqual(parseMount('type=bind,src=.,dst=/src,rw'), { type: 'bind', target: '/src', readwrite: true, source: '.' });
  assert.deepEqual(parseMount('type=cache,target=/c,id=go,sharing=private,mode=0755,uid=1000,gid=1000,ro'), {
    type: 'cache', target: '/c', readonly: true, id: 'go', sharing: 'private', mode: 0o755, uid: 1000, gid: 1000,
  });
  assert.deepEqual(parseMount('type=secret,target=/run/secrets/token'), { type: 'secret', id: 'token', required: false, target: '/run/secrets/token' });
  assert.deepEqual(parseMount('type=secret,id=aws,env=AWS_KEY,required=true'), { type: 'secret', id: 'aws', required: true, env: 'AWS_KEY' });
  assert.deepEqual(parseMount('type=tmpfs,target=/tmp,size=65536'), { type: 'tmpfs', target: '/tmp', size: 65536 });
  assert.deepEqual(parseMount('type=ssh'), { type: 'ssh', required: false });
  assert.deepEqual(parseMount('"type=bind","target=/a,b"'), { type: 'bind', target: '/a,b', readwrite: false });
});

const errors: [string, string, RegExp][] = [
  ['unknown type', 'type=volume,target=/v', /unsupported mount type "volume"/],
  ['key for another type', 'type=tmpfs,target=/t,id=x', /unexpected key 'id' for type=tmpfs/],
  ['typo with suggestion', 'type=cache,targt=/c', /did you mean target/],
  ['missing target', 'type=cache', /needs target=<path>/],
  ['secret without id or target', 'type=secret', /needs id=<name> or target=<path>/],
  ['bad sharing', 'type=cache,target=/c,sharing=global', /unsupported sharing value/],
  ['bad mode', 'type=cache,target=/c,mode=rwx', /not a valid octal mode/],
  ['bad uid', 'type=cache,target=/c,uid=root', /not a valid number/],
  ['bad bool', 'type=secret,id=a,required=maybe', /must be true or false/],
  ['empty value', 'type=bind,target=', /target needs a value/],
  ['duplicate key', 'type=bind,target=/a,dst=/b', /duplicate key dst/],
  ['unterminated quote', 'type=bind,"target=/a', /unterminated quote/],
];
for (const [name, value, re] of errors) {
  test(`parseMount rejects: ${name}`, () => {
    assert.throws(() => parseMount(value), (e: unknown) => e instanceof FlagError && re.test(e.message));
  });
}
