import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NamespaceExecutor, probeNamespace } from '../../../../lib/exec/namespace.js';
import { PlainExecutor } from '../../../../lib/exec/plain.js';
import { createExecutor } from '../../../../lib/exec/select-executor.js';
import type { ExecMount, ExecRequest, Executor } from '../../../../lib/exec/executor.js';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ocibake-ns-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function exec(ex: Executor, name: string, script: string, mounts: ExecMount[] = [], extra: Partial<ExecRequest> = {}) {
  const rootfs = join(dir, name, 'rootfs');
  mkdirSync(join(rootfs, 'src'), { recursive: true });
  let out = '';
  const res = await ex.run({
    rootfs,
    scratchDir: join(dir, name, 'scratch'),
    argv: ['/bin/sh', '-c', script],
    env: { PATH: process.env['PATH']!, HOME: '/root' },
    cwd: '/src',
    mounts,
    onStdout: (c) => (out += c.toString()),
    onStderr: (c) => (out += c.toString()),
    ...extra,
  });
  return { res, out, rootfs };
}

test('the namespace is available on this machine (unshare + overlayfs)', () => {
  const p = probeNamespace();
  assert.ok(p.tools, `namespace runner unavailable: ${p.why}`);
});

test('stage paths appear at their absolute location; writes to host dirs land in the stage only', async () => {
  const ex = createExecutor('namespace', () => undefined);
  assert.ok(ex instanceof NamespaceExecutor);
  const marker = `ocibake-ns-test-${process.pid}`;
  const { res, out, rootfs } = await exec(
    ex,
    'abs',
    `echo hi > /src/f && cat /src/f && pwd && mkdir -p /usr/local/share/${marker} && echo x > /usr/local/share/${marker}/y && ls /usr/bin/env`,
  );
  assert.equal(res.exitCode, 0, out);
  assert.equal(out, 'hi\n/src\n/usr/bin/env\n');
  assert.equal(readFileSync(join(rootfs, 'usr/local/share', marker, 'y'), 'utf8'), 'x\n');
  assert.ok(!existsSync(`/usr/local/share/${marker}`), 'the host /usr is untouched');
  assert.deepEqual(readdirSync(rootfs).sort(), ['src', 'usr'], 'mount points created for the run are removed');
});

test('mounts: rw dirs, read-only files, discarded writes; the exit code comes through', async () => {
  const ex = createExecutor('namespace', () => undefined);
  const cache = join(dir, 'cache');
  const ro = join(dir, 'ro.txt');
  const bind = join(dir, 'bind');
  mkdirSync(cache);
  mkdirSync(bind);
  writeFileSync(ro, 'read me');
  writeFileSync(join(bind, 'orig'), 'o');
  const mounts: ExecMount[] = [
    { target: '/cache', source: cache, kind: 'dir', readonly: false },
    { target: '/run/secrets/x', source: ro, kind: 'file', readonly: true },
    { target: '/b', source: bind, kind: 'dir', readonly: false, discardWrites: true },
  ];
  const { res, out, rootfs } = await exec(
    ex,
    'mounts',
    'echo c > /cache/c; cat /run/secrets/x; echo; echo w > /b/new; cat /b/new; (echo no > /run/secrets/x) 2>/dev/null || echo ro-ok; exit 7',
    mounts,
  );
  assert.equal(res.exitCode, 7);
  assert.equal(out, 'read me\nw\nro-ok\n');
  assert.equal(readFileSync(join(cache, 'c'), 'utf8'), 'c\n');
  assert.ok(!existsSync(join(bind, 'new')), 'writes to a rw bind are discarded');
  assert.ok(!existsSync(join(rootfs, 'run')) && !existsSync(join(rootfs, 'cache')) && !existsSync(join(rootfs, 'b')));
});

test('network=none gives the RUN no interfaces but loopback', async () => {
  const ex = createExecutor('namespace', () => undefined);
  const { res, out } = await exec(ex, 'net', "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '", [], { network: 'none' });
  assert.equal(res.exitCode, 0, out);
  assert.equal(out.trim(), 'lo');
});

test('plain executor runs in the mapped working directory, and auto never warns here', async () => {
  const warnings: string[] = [];
  assert.equal(createExecutor('auto', (m) => warnings.push(m)).name, 'namespace');
  assert.deepEqual(warnings, []);
  const ex = createExecutor('plain', () => undefined);
  assert.ok(ex instanceof PlainExecutor);
  const { res, out, rootfs } = await exec(ex, 'plain', 'echo p > here; pwd');
  assert.equal(res.exitCode, 0);
  assert.equal(out.trim(), join(dir, 'plain', 'rootfs', 'src'));
  assert.equal(readFileSync(join(rootfs, 'src/here'), 'utf8'), 'p\n');
});
