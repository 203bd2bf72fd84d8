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
