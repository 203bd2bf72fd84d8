import { test } from 'node:test';
import assert from 'node:assert/strict';
import { automaticArgs, declareArg, isTargetArg, resolveBuildArgs } from '../../../../lib/plan/scope.js';

test('automaticArgs gives the eight BuildKit platform args', () => {
  const a = automaticArgs({ os: 'linux', architecture: 'arm', variant: 'v6' }, { os: 'linux', architecture: 'amd64' });
  assert.deepEqual(Object.fromEntries(a), {
    TARGETPLATFORM: 'linux/arm/v6',
    TARGETOS: 'linux',
    TARGETARCH: 'arm',
    TARGETVARIANT: 'v6',
    BUILDPLATFORM: 'linux/amd64',
    BUILDOS: 'linux',
    BUILDARCH: 'amd64',
    BUILDVARIANT: '',
  });
  assert.equal(isTargetArg('TARGETARCH'), true);
  assert.equal(isTargetArg('BUILDARCH'), false);
});

test('resolveBuildArgs: a valueless --build-arg reads the environment or is dropped', () => {
  assert.deepEqual(Object.fromEntries(resolveBuildArgs({ A: '1', B: undefined, C: undefined, D: '' }, { B: 'env', A: 'ignored' })), {
    A: '1',
    B: 'env',
    D: '',
  });
});

test('declareArg precedence: automatic > --build-arg > default > global', () => {
  const opts = {
    automatic: new Map([['TARGETARCH', 'arm64']]),
    buildArgs: new Map([
      ['X', 'cli'],
      ['TARGETARCH', 'cli-arch'],
    ]),
    globals: new Map<string, string | undefined>([
      ['G', 'global'],
      ['X', 'global-x'],
    ]),
    lookup: (n: string) => (n === 'Y' ? 'why' : undefined),
    escape: '\\',
  };
  assert.equal(declareArg({ name: 'TARGETARCH' }, opts).value, 'arm64');
  assert.equal(declareArg({ name: 'X', value: 'dflt' }, opts).value, 'cli');
  assert.deepEqual(declareArg({ name: 'Z', value: '${Y}-z' }, opts), { value: 'why-z', used: ['Y'] });
  assert.equal(declareArg({ name: 'G' }, opts).value, 'global');
  assert.equal(declareArg({ name: 'G', value: 'stage' }, opts).value, 'stage');
  assert.equal(declareArg({ name: 'NONE' }, opts).value, undefined);
});
