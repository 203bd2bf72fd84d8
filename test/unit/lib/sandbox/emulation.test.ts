import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execution, runsNatively } from '../../../../lib/sandbox/emulation.js';
import { parsePlatform } from '../../../../lib/oci/platform.js';
import { SandboxError } from '../../../../lib/sandbox/errors.js';

const amd64 = parsePlatform('linux/amd64');
const handler = (flags: string, enabled = true) =>
  `${enabled ? 'enabled' : 'disabled'}\ninterpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P\nflags: ${flags}\noffset 0\n`;

test('an x86_64 host runs amd64 and 386 natively, nothing else', () => {
  assert.equal(runsNatively(parsePlatform('linux/amd64'), amd64), true);
  assert.equal(runsNatively(parsePlatform('linux/386'), amd64), true);
  assert.equal(runsNatively(parsePlatform('linux/arm64'), amd64), false);
  assert.equal(runsNatively(parsePlatform('linux/arm64'), parsePlatform('linux/arm64')), true);
  assert.equal(runsNatively(parsePlatform('linux/arm/v7'), parsePlatform('linux/arm64')), false);
});

test('a foreign platform needs an enabled handler with the F flag; each refusal says what to do', () => {
  const files = (m: Record<string, string>) => (f: string) => {
    const v = m[f];
    if (v === undefined) throw new Error('ENOENT');
    return v;
  };
  const arm64 = parsePlatform('linux/arm64');
  if (runsNatively(arm64)) return; // only meaningful on a non-arm64 host
  assert.deepEqual(execution(arm64, files({ '/proc/sys/fs/binfmt_misc/qemu-aarch64': handler('PF') })), {
    kind: 'emulated',
    handler: 'qemu-aarch64',
    interpreter: '/usr/libexec/qemu-binfmt/aarch64-binfmt-P',
  });
  assert.throws(
    () => execution(arm64, files({ '/proc/sys/fs/binfmt_misc/qemu-aarch64': handler('P') })),
    (e: unknown) => e instanceof SandboxError && /lacks the F flag/.test(e.message) && /tonistiigi\/binfmt/.test(e.hint ?? ''),
  );
  assert.throws(() => execution(arm64, files({ '/proc/sys/fs/binfmt_misc/qemu-aarch64': handler('PF', false) })), /disabled/);
  assert.throws(
    () => execution(arm64, files({ '/proc/sys/fs/binfmt_misc/status': 'enabled' })),
    (e: unknown) => e instanceof SandboxError && /qemu-user-static/.test(e.hint ?? ''),
  );
  assert.throws(
    () => execution(arm64, files({})),
    (e: unknown) => e instanceof SandboxError && /mount -t binfmt_misc/.test(e.hint ?? ''),
  );
});

test('runsNatively: another OS never runs natively; arm64/v8 is arm64; a host outside the table runs its own CPU only', () => {
  assert.equal(runsNatively(parsePlatform('windows/amd64'), amd64), false);
  assert.equal(runsNatively(parsePlatform('linux/arm64/v8'), parsePlatform('linux/arm64')), true);
  assert.equal(runsNatively(parsePlatform('linux/amd64/v3'), amd64), true, 'an amd64 variant is still amd64 code');
  const riscv = parsePlatform('linux/riscv64');
  assert.equal(runsNatively(riscv, riscv), true);
  assert.equal(runsNatively(parsePlatform('linux/amd64'), riscv), false);
  assert.equal(runsNatively(parsePlatform('linux/386'), parsePlatform('linux/arm64')), false, 'only an x86_64 kernel runs i386 code');
});

const foreign = (arch: string): string => {
  // A CPU this host does not run natively, for tests of the emulated path on any host.
  const p = parsePlatform(arch);
  return runsNatively(p) ? 'linux/s390x' : arch;
};

test('execution: a native platform reads nothing from binfmt_misc', () => {
  const read = (): string => assert.fail('binfmt_misc must not be read for a native platform');
  assert.deepEqual(execution(parsePlatform(`linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`), read), { kind: 'native' });
});

test('execution: each CPU asks for its own qemu handler', () => {
  const cases: [string, string][] = [
    ['linux/arm/v7', 'qemu-arm'],
    ['linux/arm/v6', 'qemu-arm'],
    ['linux/riscv64', 'qemu-riscv64'],
    ['linux/ppc64le', 'qemu-ppc64le'],
    ['linux/s390x', 'qemu-s390x'],
    ['linux/mips64le', 'qemu-mips64el'],
    ['linux/loong64', 'qemu-loongarch64'],
  ];
  for (const [platform, name] of cases) {
    const p = parsePlatform(platform);
    if (runsNatively(p)) continue;
    const asked: string[] = [];
    const got = execution(p, (f) => (asked.push(f), `enabled\ninterpreter /usr/bin/${name}-static\nflags: OCF\noffset 0\n`));
    assert.deepEqual(asked, [`/proc/sys/fs/binfmt_misc/${name}`], platform);
    assert.deepEqual(got, { kind: 'emulated', handler: name, interpreter: `/usr/bin/${name}-static` }, platform);
  }
});

test('execution: a CPU without a known emulator, and a handler with no flags at all, are errors that say what to do', () => {
  assert.throws(
    () => execution(parsePlatform('linux/wasm'), () => 'enabled\nflags: F\n'),
    (e: unknown) => e instanceof SandboxError && e.message === 'no emulator is known for linux/wasm' && /\$BUILDPLATFORM/.test(e.hint ?? ''),
  );
  const p = parsePlatform(foreign('linux/riscv64'));
  assert.throws(() => execution(p, () => 'enabled\ninterpreter /usr/bin/qemu\nflags: \noffset 0\n'), /lacks the F flag/);
  assert.throws(() => execution(p, () => 'enabled\ninterpreter /usr/bin/qemu\n'), /lacks the F flag/);
});

test('execution: qemu-user runs Linux binaries only: a stage of another OS is refused without looking for a handler', () => {
  for (const platform of ['windows/amd64', 'freebsd/arm64', 'darwin/arm64']) {
    const read = (): string => assert.fail(`${platform}: no qemu handler may be looked up for another OS`);
    assert.throws(
      () => execution(parsePlatform(platform), read),
      (e: unknown) => e instanceof SandboxError && e.message === `no emulator is known for ${platform}`,
    );
  }
});
