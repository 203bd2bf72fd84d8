import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePlatform } from '../../../../lib/oci/platform.js';
import { crossHelp } from '../../../../lib/stages/cross-help.js';
import { tempDir } from '../../../harness/tmp.js';

const build = parsePlatform('linux/amd64');
const dir = tempDir('ocibake-cross-help-');
// A stand-in zig, reached through a symlink (as npm's .bin links are): crossHelp must mount the real file's directory.
const zigHome = join(dir, 'zig-0.11.0');
mkdirSync(zigHome);
const realZig = join(zigHome, 'zig');
writeFileSync(realZig, '#!/bin/sh\nexit 0\n', { mode: 0o755 });
const binDir = join(dir, 'bin');
mkdirSync(binDir);
symlinkSync(realZig, join(binDir, 'zig'));

/** Runs `f` with OCIBAKE_ZIG and PATH set as given (undefined: unset), restoring them after. */
function withEnv<T>(env: { OCIBAKE_ZIG?: string | undefined; PATH?: string | undefined }, f: () => T): T {
  const saved = { OCIBAKE_ZIG: process.env['OCIBAKE_ZIG'], PATH: process.env['PATH'] };
  const set = (k: 'OCIBAKE_ZIG' | 'PATH', v: string | undefined) => (v === undefined ? delete process.env[k] : (process.env[k] = v));
  try {
    set('OCIBAKE_ZIG', env.OCIBAKE_ZIG);
    set('PATH', env.PATH);
    return f();
  } finally {
    set('OCIBAKE_ZIG', saved.OCIBAKE_ZIG);
    set('PATH', saved.PATH);
  }
}
const noZig = { OCIBAKE_ZIG: undefined, PATH: join(dir, 'empty') };
const withZig = { OCIBAKE_ZIG: join(binDir, 'zig'), PATH: join(dir, 'empty') };

const GO: [string, Record<string, string>][] = [
  ['linux/amd64', { GOOS: 'linux', GOARCH: 'amd64' }],
  ['linux/amd64/v3', { GOOS: 'linux', GOARCH: 'amd64', GOAMD64: 'v3' }],
  ['linux/arm64', { GOOS: 'linux', GOARCH: 'arm64' }],
  ['linux/arm/v7', { GOOS: 'linux', GOARCH: 'arm', GOARM: '7' }],
  ['linux/arm/v6', { GOOS: 'linux', GOARCH: 'arm', GOARM: '6' }],
  ['linux/arm/v5', { GOOS: 'linux', GOARCH: 'arm', GOARM: '5' }],
  ['linux/386', { GOOS: 'linux', GOARCH: '386' }],
  ['linux/riscv64', { GOOS: 'linux', GOARCH: 'riscv64' }],
  ['linux/ppc64le', { GOOS: 'linux', GOARCH: 'ppc64le' }],
  ['linux/s390x', { GOOS: 'linux', GOARCH: 's390x' }],
  ['linux/mips64le', { GOOS: 'linux', GOARCH: 'mips64le' }],
  ['linux/loong64', { GOOS: 'linux', GOARCH: 'loong64' }],
];

for (const [platform, want] of GO) {
  test(`crossHelp ${platform}: GOOS/GOARCH/GOARM/GOAMD64; without zig CGO is off and nothing is mounted`, () => {
    const h = withEnv(noZig, () => crossHelp(parsePlatform(platform), build));
    for (const [k, v] of Object.entries(want)) assert.equal(h.env[k], v, `${k} for ${platform}`);
    for (const k of ['GOARM', 'GOAMD64']) if (!(k in want)) assert.equal(h.env[k], undefined, `no ${k} for ${platform}`);
    assert.equal(h.env['CGO_ENABLED'], '0');
    assert.equal(h.env['CC'], undefined);
    assert.deepEqual(h.dirs, []);
  });
}

test('crossHelp with zig: CC/CXX/AR are `zig cc -target <musl triple>` at zig’s real path, whose directory is mounted', () => {
  const cases: [string, string][] = [
    ['linux/arm64', `${realZig} cc -target aarch64-linux-musl`],
    ['linux/arm/v7', `${realZig} cc -target arm-linux-musleabihf -mcpu=cortex_a7`],
    ['linux/amd64', `${realZig} cc -target x86_64-linux-musl`],
    ['linux/riscv64', `${realZig} cc -target riscv64-linux-musl`],
  ];
  for (const [platform, cc] of cases) {
    const h = withEnv(withZig, () => crossHelp(parsePlatform(platform), build));
    assert.equal(h.env['CC'], cc, platform);
    assert.equal(h.env['CXX'], cc.replace(' cc ', ' c++ '), platform);
    assert.equal(h.env['AR'], `${realZig} ar`);
    assert.equal(h.env['CGO_ENABLED'], '1');
    assert.deepEqual(h.dirs, [zigHome], 'the directory of the real binary (zig needs its lib/ beside it)');
  }
  assert.equal(
    withEnv(withZig, () => crossHelp(parsePlatform('linux/arm64'), build)).env['CC_aarch64_unknown_linux_musl'],
    `${realZig} cc -target aarch64-linux-musl`,
  );
});

test('crossHelp finds zig on PATH when OCIBAKE_ZIG is not set, and ignores an OCIBAKE_ZIG that is not there', () => {
  const onPath = withEnv({ OCIBAKE_ZIG: undefined, PATH: binDir }, () => crossHelp(parsePlatform('linux/arm64'), build));
  assert.equal(onPath.env['CC'], `${realZig} cc -target aarch64-linux-musl`);
  assert.deepEqual(onPath.dirs, [zigHome]);
  const missing = withEnv({ OCIBAKE_ZIG: join(dir, 'no-zig'), PATH: binDir }, () => crossHelp(parsePlatform('linux/arm64'), build));
  assert.equal(missing.env['CC'], undefined);
  assert.equal(missing.env['CGO_ENABLED'], '0');
});

test('crossHelp: zig is not wired where it cannot link (s390x, loong64) or for another OS: CGO stays off there', () => {
  // zig 0.11 has no musl sysroot for these (arch-table zigLinks: false); CGO_ENABLED=1 with it would fail every cgo link, `net` included.
  for (const platform of ['linux/s390x', 'linux/loong64', 'windows/amd64', 'darwin/arm64']) {
    const h = withEnv(withZig, () => crossHelp(parsePlatform(platform), build));
    assert.equal(h.env['CGO_ENABLED'], '0', platform);
    assert.equal(h.env['CC'], undefined, platform);
    assert.deepEqual(h.dirs, [], platform);
  }
  assert.equal(withEnv(withZig, () => crossHelp(parsePlatform('windows/amd64'), build)).env['GOOS'], 'windows');
});
