// What a RUN may do as root, against what a Docker/BuildKit RUN may do: Docker's default
// capabilities (CapBnd 0xa80425fb; none for a non-root USER), no mounts, /proc/sys read-only,
// /proc/timer_list masked, and a device node the RUN makes for the host's own disk opens nothing.
// `RUN --security=insecure` is refused unless the build grants `--allow security.insecure`.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDir } from '../harness/context-dir.js';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { cleanFailure, ocibake } from '../harness/cli.js';

let work: string;
let alpine: string;

before(async () => {
  assert.equal(process.getuid?.(), 0, 'this file checks what root in a RUN can reach: run it as root');
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-confine-'));
  alpine = await alpineBaseFlag();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const context = (name: string, dockerfile: string): string => contextDir(work, name, dockerfile);

/** `key=value` lines the RUNs printed (plain progress prefixes each with `[stage] `). */
function said(stderr: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of stderr.matchAll(/^\[[^\]]+\] (probe\.[a-z.]+)=(.*)$/gm)) out.set(m[1]!, m[2]!);
  return out;
}

const build = (ctx: string, extra: string[] = []) =>
  ocibake([
    'build',
    ctx,
    '--base',
    alpine,
    '--platform',
    'linux/amd64',
    '--progress',
    'plain',
    '--no-cache',
    '-o',
    `type=oci,dest=${join(ctx, 'out')}`,
    ...extra,
  ]);

test('as root, RUN has what a Docker RUN has: the default capabilities, no mount, /proc/sys read-only, no host devices', async () => {
  // The host's root disk, as a block device a RUN could make with mknod (it keeps CAP_MKNOD, as in Docker).
  const dev = statSync('/').dev;
  const [major, minor] = [Math.floor(dev / 256) & 0xfff, (dev & 0xff) | ((dev >> 12) & 0xfff00)];
  const corePattern = readFileSync('/proc/sys/kernel/core_pattern', 'utf8');
  const ctx = context(
    'root',
    [
      'FROM alpine',
      'RUN grep -E "^Cap(Bnd|Eff|Inh)" /proc/self/status | sed "s/^Cap\\(...\\):\\t/probe.cap.\\1=/" | tr A-Z a-z',
      'RUN mkdir -p /mnt/t && if mount -t tmpfs t /mnt/t 2>/dev/null; then echo probe.mount=mounted; else echo probe.mount=refused; fi',
      'RUN if echo "|/bin/false" > /proc/sys/kernel/core_pattern 2>/dev/null; then echo probe.sysctl=written; else echo probe.sysctl=refused; fi',
      'RUN echo probe.timers=$(wc -c < /proc/timer_list)',
      `RUN mknod /tmp/disk b ${major} ${minor} && echo probe.mknod=made && if head -c 512 /tmp/disk > /dev/null 2>&1; then echo probe.disk=opened; else echo probe.disk=refused; fi`,
      'RUN echo probe.devnull=$(echo x > /dev/null && echo ok)',
      'USER nobody',
      'RUN grep -E "^CapEff" /proc/self/status | sed "s/^CapEff:\\t/probe.user.eff=/"',
    ].join('\n') + '\n',
  );
  const r = await build(ctx);
  assert.equal(r.code, 0, r.stderr);
  const p = said(r.stderr);
  assert.equal(p.get('probe.cap.bnd'), '00000000a80425fb', "Docker's default bounding set");
  assert.equal(p.get('probe.cap.eff'), '00000000a80425fb');
  assert.equal(p.get('probe.cap.inh'), '0000000000000000', 'nothing inheritable (moby 23+)');
  assert.equal(p.get('probe.mount'), 'refused', 'no CAP_SYS_ADMIN: no mounts');
  assert.equal(p.get('probe.sysctl'), 'refused', '/proc/sys is read-only');
  assert.equal(readFileSync('/proc/sys/kernel/core_pattern', 'utf8'), corePattern, "the host's core_pattern is unchanged");
  assert.ok(readFileSync('/proc/timer_list').length > 0, "the host's /proc/timer_list has content: the check below means something");
  assert.equal(p.get('probe.timers'), '0', '/proc/timer_list is masked, as runc masks it');
  assert.equal(p.get('probe.mknod'), 'made', 'mknod works, as in Docker');
  assert.equal(p.get('probe.disk'), 'refused', 'but the node opens nothing: the root is nodev');
  assert.equal(p.get('probe.devnull'), 'ok', '/dev/null, bound from the host, still works');
  assert.equal(p.get('probe.user.eff'), '0000000000000000', 'a non-root USER has no capabilities');
});

test('RUN --security=insecure: refused with its line unless --allow security.insecure, then every capability', async () => {
  const ctx = context(
    'insecure',
    'FROM alpine\nRUN echo probe.first=ran\nRUN --security=insecure grep -E "^CapBnd" /proc/self/status | sed "s/^CapBnd:\\t/probe.bnd=/"\n',
  );
  const refused = await build(ctx);
  assert.equal(cleanFailure(refused), undefined);
  assert.match(refused.stderr, /Dockerfile:3:1: RUN: --security=insecure is not allowed/);
  assert.match(refused.stderr, /--allow security\.insecure/);
  assert.equal(said(refused.stderr).has('probe.first'), false, 'refused before anything runs');
  const allowed = await build(ctx, ['--allow', 'security.insecure']);
  assert.equal(allowed.code, 0, allowed.stderr);
  const full = readFileSync('/proc/self/status', 'utf8').match(/^CapBnd:\t(\w+)$/m)![1];
  assert.equal(said(allowed.stderr).get('probe.bnd'), full, "the build's own bounding set");
  const bad = await build(ctx, ['--allow', 'device']);
  assert.equal(cleanFailure(bad), undefined);
  assert.match(bad.stderr, /unknown entitlement "device"/);
});
