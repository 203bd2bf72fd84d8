import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossEnv, pickCCompiler } from '../../../../lib/exec/cross-env.js';
import { parsePlatform } from '../../../../lib/oci/platform.js';

const build = parsePlatform('linux/amd64');

// Expected values follow tonistiigi/xx (xx-info / xx-go / xx-cargo) for each platform row.
const table: { platform: string; want: Record<string, string | undefined> }[] = [
  {
    platform: 'linux/amd64',
    want: {
      GOARCH: 'amd64',
      GOARM: undefined,
      GOAMD64: undefined,
      OCIBAKE_TARGET_TRIPLE: 'x86_64-linux-gnu',
      OCIBAKE_ZIG_TARGET: 'x86_64-linux-musl',
      OCIBAKE_ALPINE_ARCH: 'x86_64',
      OCIBAKE_DEBIAN_ARCH: 'amd64',
      CARGO_BUILD_TARGET: 'x86_64-unknown-linux-musl',
    },
  },
  { platform: 'linux/amd64/v3', want: { GOARCH: 'amd64', GOAMD64: 'v3' } },
  {
    platform: 'linux/arm64',
    want: {
      GOARCH: 'arm64',
      GOARM: undefined,
      OCIBAKE_TARGET_TRIPLE: 'aarch64-linux-gnu',
      OCIBAKE_ZIG_TARGET: 'aarch64-linux-musl',
      OCIBAKE_ALPINE_ARCH: 'aarch64',
      OCIBAKE_DEBIAN_ARCH: 'arm64',
      CARGO_BUILD_TARGET: 'aarch64-unknown-linux-musl',
    },
  },
  {
    platform: 'linux/arm/v7',
    want: {
      GOARCH: 'arm',
      GOARM: '7',
      OCIBAKE_TARGET_TRIPLE: 'arm-linux-gnueabihf',
      OCIBAKE_ZIG_TARGET: 'arm-linux-musleabihf',
      OCIBAKE_ALPINE_ARCH: 'armv7',
      OCIBAKE_DEBIAN_ARCH: 'armhf',
      CARGO_BUILD_TARGET: 'armv7-unknown-linux-musleabihf',
    },
  },
  {
    platform: 'linux/arm/v6',
    want: {
      GOARCH: 'arm',
      GOARM: '6',
      OCIBAKE_ZIG_TARGET: 'arm-linux-musleabi',
      OCIBAKE_ALPINE_ARCH: 'armhf',
      OCIBAKE_DEBIAN_ARCH: 'armel',
      CARGO_BUILD_TARGET: 'arm-unknown-linux-musleabihf',
    },
  },
  { platform: 'linux/arm/v5', want: { GOARCH: 'arm', GOARM: '5', OCIBAKE_ALPINE_ARCH: undefined, OCIBAKE_DEBIAN_ARCH: 'armel' } },
  {
    platform: 'linux/386',
    want: {
      GOARCH: '386',
      OCIBAKE_TARGET_TRIPLE: 'i686-linux-gnu',
      OCIBAKE_ZIG_TARGET: 'x86-linux-musl',
      OCIBAKE_ALPINE_ARCH: 'x86',
      OCIBAKE_DEBIAN_ARCH: 'i386',
      CARGO_BUILD_TARGET: 'i686-unknown-linux-musl',
    },
  },
  {
    platform: 'linux/ppc64le',
    want: {
      GOARCH: 'ppc64le',
      OCIBAKE_TARGET_TRIPLE: 'powerpc64le-linux-gnu',
      OCIBAKE_ZIG_TARGET: 'powerpc64le-linux-musl',
      OCIBAKE_ALPINE_ARCH: 'ppc64le',
      OCIBAKE_DEBIAN_ARCH: 'ppc64el',
    },
  },
  {
    platform: 'linux/s390x',
    want: {
      GOARCH: 's390x',
      OCIBAKE_TARGET_TRIPLE: 's390x-linux-gnu',
      OCIBAKE_ALPINE_ARCH: 's390x',
      OCIBAKE_DEBIAN_ARCH: 's390x',
      CARGO_BUILD_TARGET: 's390x-unknown-linux-gnu',
    },
  },
  {
    platform: 'linux/riscv64',
    want: {
      GOARCH: 'riscv64',
      OCIBAKE_TARGET_TRIPLE: 'riscv64-linux-gnu',
      OCIBAKE_ZIG_TARGET: 'riscv64-linux-musl',
      OCIBAKE_ALPINE_ARCH: 'riscv64',
      OCIBAKE_DEBIAN_ARCH: 'riscv64',
      CARGO_BUILD_TARGET: 'riscv64gc-unknown-linux-musl',
    },
  },
];

for (const row of table) {
  test(`crossEnv ${row.platform} without a C compiler`, () => {
    const env = crossEnv({ target: parsePlatform(row.platform), build });
    assert.equal(env['GOOS'], 'linux');
    assert.equal(env['CGO_ENABLED'], '0');
    assert.equal(env['CC'], undefined);
    for (const [k, v] of Object.entries(row.want)) assert.equal(env[k], v, k);
  });
}

test('crossEnv wires zig as CC/CXX/AR with the musl triple and enables cgo', () => {
  const env = crossEnv({ target: parsePlatform('linux/arm/v7'), build, cc: { kind: 'zig', zig: '/z/zig' }, zigLinkerWrapper: '/w/zig-cc-arm' });
  assert.equal(env['CC'], '/z/zig cc -target arm-linux-musleabihf -mcpu=cortex_a7');
  assert.equal(env['CXX'], '/z/zig c++ -target arm-linux-musleabihf -mcpu=cortex_a7');
  assert.equal(env['AR'], '/z/zig ar');
  assert.equal(env['CGO_ENABLED'], '1');
  assert.equal(env['CARGO_TARGET_ARMV7_UNKNOWN_LINUX_MUSLEABIHF_LINKER'], '/w/zig-cc-arm');
  assert.equal(env['CC_armv7_unknown_linux_musleabihf'], env['CC']);
});

test('crossEnv wires a Debian cross gcc by prefix', () => {
  const env = crossEnv({ target: parsePlatform('linux/arm64'), build, cc: { kind: 'gcc', prefix: 'aarch64-linux-gnu-' } });
  assert.equal(env['CC'], 'aarch64-linux-gnu-gcc');
  assert.equal(env['CXX'], 'aarch64-linux-gnu-g++');
  assert.equal(env['AR'], 'aarch64-linux-gnu-ar');
  assert.equal(env['CGO_ENABLED'], '1');
  assert.equal(env['CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER'], 'aarch64-linux-gnu-gcc');
});

test('crossEnv keeps cgo off with the native cc (static binaries run on any base)', () => {
  const env = crossEnv({ target: build, build, cc: { kind: 'native', cc: 'cc' } });
  assert.equal(env['CC'], 'cc');
  assert.equal(env['CGO_ENABLED'], '0');
});

test('crossEnv for a non-linux target sets only Go variables', () => {
  const env = crossEnv({ target: { os: 'windows', architecture: 'amd64' }, build });
  assert.deepEqual(env, { GOOS: 'windows', GOARCH: 'amd64', CGO_ENABLED: '0' });
});

const picks: { name: string; target: string; installed: string[]; zig?: string; want: unknown }[] = [
  { name: 'native target uses host cc', target: 'linux/amd64', installed: ['cc', 'gcc'], zig: '/z', want: { kind: 'native', cc: 'cc' } },
  {
    name: 'cross gcc preferred over zig',
    target: 'linux/arm64',
    installed: ['cc', 'aarch64-linux-gnu-gcc'],
    zig: '/z',
    want: { kind: 'gcc', prefix: 'aarch64-linux-gnu-' },
  },
  { name: 'zig when no cross gcc', target: 'linux/riscv64', installed: ['cc'], zig: '/z', want: { kind: 'zig', zig: '/z' } },
  { name: 'zig cannot link s390x', target: 'linux/s390x', installed: ['cc'], zig: '/z', want: undefined },
  { name: 'nothing installed', target: 'linux/arm64', installed: [], want: undefined },
];
for (const p of picks) {
  test(`pickCCompiler: ${p.name}`, () => {
    const got = pickCCompiler(parsePlatform(p.target), build, (c) => p.installed.includes(c), p.zig);
    assert.deepEqual(got, p.want);
  });
}
