import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseOutputSpec, parseBuildArgs, parseSecretSpec, parseBaseOverride, parseFormat } from '../../../../cli/options/build-flags.js';
import { OcibakeError } from '../../../../lib/errors.js';

const isOptionError = (e: unknown) => e instanceof OcibakeError && e.code === 'OCIBAKE_INVALID_ARGUMENT' && typeof e.hint === 'string';

test('--output accepts the buildx forms', () => {
  assert.deepEqual(parseOutputSpec('type=registry'), { type: 'registry' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=out'), { type: 'oci', dest: 'out' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=out.tar'), { type: 'oci-archive', dest: 'out.tar' });
  assert.deepEqual(parseOutputSpec('type=oci,dest=o,tar=true'), { type: 'oci-archive', dest: 'o' });
  assert.deepEqual(parseOutputSpec('type=docker,dest=img.tar,platform=linux/arm64'), { type: 'docker', dest: 'img.tar', platform: { os: 'linux', architecture: 'arm64' } });
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
