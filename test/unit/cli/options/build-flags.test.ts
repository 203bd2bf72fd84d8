import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOutputSpec, parseBuildArgs, parseSecretSpec, parseBaseOverride, parseFormat, parseCacheSpec } from '../../../../cli/options/build-flags.js';
import { OcibakeError } from '../../../../lib/errors.js';

const isOptionError = (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_INVALID_ARGUMENT' && typeof e.hint === 'string';

test('--output accepts the buildx forms', () => {
  assert.deepEqual(parseOutputSpec('type=registry'), { type: 'registry' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=out'), { type: 'oci', dest: 'out' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=out.tar'), { type: 'oci-archive', dest: 'out.tar' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=o,tar=true'), { type: 'oci-archive', dest: 'o' });
  assert.deepEqual(parseOutputSpec('type=docker,dest=img.tar,platform=linux/arm64'), {
    type: 'docker',
    dest: 'img.tar',
    platform: { os: 'linux', architecture: 'arm64' },
  });
  assert.deepEqual(parseOutputSpec('./layout'), { type: 'oci', dest: './layout' });
});

test('--output rejects unknown types and missing dest with a hint', () => {
  assert.throws(() => parseOutputSpec('type=tarball,dest=x'), isOptionError);
  assert.throws(() => parseOutputSpec('type=oci'), isOptionError);
  assert.throws(() => parseOutputSpec('type=docker,dest'), isOptionError);
});

test('--build-arg NAME takes the environment and is dropped when unset', () => {
  assert.deepEqual(parseBuildArgs(['A=1', 'B', 'C', 'D=x=y'], { B: 'from-env' }), { A: '1', B: 'from-env', D: 'x=y' });
  assert.throws(() => parseBuildArgs(['1BAD=x']), isOptionError);
});

test('--secret forms', () => {
  assert.deepEqual(parseSecretSpec('id=tok,src=/run/tok'), { id: 'tok', src: '/run/tok' });
  assert.deepEqual(parseSecretSpec('id=tok,env=TOKEN'), { id: 'tok', env: 'TOKEN' });
  assert.deepEqual(parseSecretSpec('id=TOKEN'), { id: 'TOKEN', env: 'TOKEN' });
  assert.throws(() => parseSecretSpec('src=/x'), isOptionError);
  assert.throws(() => parseSecretSpec('id=a,file=/x'), isOptionError);
});

test('--base NAME[@PLATFORM]=REF', () => {
  assert.deepEqual(parseBaseOverride('alpine=oci-layout://./l:3.20'), { name: 'alpine', ref: 'oci-layout://./l:3.20' });
  assert.deepEqual(parseBaseOverride('alpine@linux/arm64=r/a:1'), { name: 'alpine', platform: { os: 'linux', architecture: 'arm64' }, ref: 'r/a:1' });
  assert.throws(() => parseBaseOverride('alpine'), isOptionError);
  assert.throws(() => parseFormat('v1'), isOptionError);
});

test('--cache-to and --cache-from accept the buildx forms, mode=min by default', () => {
  assert.deepEqual(parseCacheSpec('--cache-to', 'type=registry,ref=reg/app:cache,mode=max'), {
    type: 'registry',
    ref: 'reg/app:cache',
    mode: 'max',
    ignoreError: false,
  });
  assert.deepEqual(parseCacheSpec('--cache-from', 'reg/app:cache'), { type: 'registry', ref: 'reg/app:cache', mode: 'min', ignoreError: false });
  assert.deepEqual(parseCacheSpec('--cache-from', 'ref=reg/app:cache'), { type: 'registry', ref: 'reg/app:cache', mode: 'min', ignoreError: false });
  assert.deepEqual(parseCacheSpec('--cache-to', 'type=registry,ref=r/a:c,ignore-error=true,compression=gzip,image-manifest=true,oci-mediatypes=true'), {
    type: 'registry',
    ref: 'r/a:c',
    mode: 'min',
    ignoreError: true,
  });
  assert.deepEqual(parseCacheSpec('--cache-to', 'type=local,dest=/tmp/c,mode=max'), {
    type: 'local',
    dir: '/tmp/c',
    tag: 'latest',
    mode: 'max',
    ignoreError: false,
  });
  assert.deepEqual(parseCacheSpec('--cache-from', 'type=local,src=/tmp/c'), { type: 'local', dir: '/tmp/c', tag: 'latest', mode: 'min', ignoreError: false });
});

test('--cache-to and --cache-from refuse what has no backend or is incomplete, with a hint', () => {
  for (const [flag, text, why] of [
    ['--cache-to', 'type=gha', /type=gha has no ocibake backend/],
    ['--cache-to', 'type=inline', /type=inline/],
    ['--cache-to', 'type=registry', /needs ref=/],
    ['--cache-to', 'type=local,src=/x', /needs dest=/],
    ['--cache-from', 'type=local,dest=/x', /needs src=/],
    ['--cache-to', 'type=registry,ref=r/a:c,mode=everything', /mode must be min or max/],
    ['--cache-to', 'type=registry,ref=r/a:c,compression=zstd', /compression=zstd is not supported/],
    ['--cache-to', 'type=registry,ref=r/a:c,colour=blue', /unknown key "colour"/],
    ['--cache-from', 'type=nfs,src=/x', /unknown type "nfs"/],
  ] as const) {
    assert.throws(
      () => parseCacheSpec(flag, text),
      (e: unknown) => isOptionError(e) && why.test((e as Error).message) && (e as Error).message.includes(flag),
      text,
    );
  }
});
