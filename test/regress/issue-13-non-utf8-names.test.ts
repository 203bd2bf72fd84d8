// Issue 13, item 4: a build-context file whose name is not valid UTF-8 made `COPY .` fail with a
// bare ENOENT (and exit 70 in a build stage). BuildKit copies such names byte for byte; so must
// both executors, through COPY into a target stage, into a build stage, a RUN that writes more
// of them, and COPY --from that stage. The names are made here as bytes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanFailure, ocibake } from '../harness/cli.js';
import { seedAlpine } from '../harness/alpine-index.js';
import { startRegistry, type TestRegistry } from '../harness/registry.js';
import { tempDir } from '../harness/tmp.js';
import type { Index, Manifest } from '../../lib/oci/manifest.js';

const work = tempDir('ocibake-regress-13-names-');
const b = (...parts: (string | number[] | Uint8Array)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
// Latin-1 bytes, a lone continuation byte, 0xff 0xfe: none is valid UTF-8. café.txt is.
const NAMES = {
  file: b('bad-', [0xff, 0xfe], '.txt'),
  dir: b('dir-', [0xe9]),
  inner: b('inner-', [0x80]),
  link: b('link-', [0xfe]),
  utf8: b('café.txt'),
};

function context(dir: string, dockerfile: string): string {
  mkdirSync(dir);
  const p = (...names: Buffer[]): Buffer => b(`${dir}/`, ...names.flatMap((n, i) => (i ? [b('/'), n] : [n])));
  writeFileSync(p(NAMES.file), 'ff');
  mkdirSync(p(NAMES.dir));
  writeFileSync(p(NAMES.dir, NAMES.inner), 'inner');
  symlinkSync(NAMES.file, p(NAMES.link));
  writeFileSync(p(NAMES.utf8), 'utf8');
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  writeFileSync(join(dir, '.dockerignore'), 'Dockerfile\n');
  return dir;
}

/** Members of the image's last layer as raw bytes (GNU tar, names printed literally), and a reader of their content. */
function lastLayer(layout: string): { names: Buffer[]; read: (member: Buffer) => string; linkOf: (member: Buffer) => Buffer } {
  const blob = (d: string) => join(layout, 'blobs', 'sha256', d.slice(7));
  const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as Index;
  const manifest = JSON.parse(readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as Manifest;
  const file = blob(manifest.layers.at(-1)!.digest);
  const out = execFileSync('tar', ['-tzf', file, '--quoting-style=literal']);
  const names: Buffer[] = [];
  for (let at = 0; at < out.length;) {
    const nl = out.indexOf(0x0a, at);
    names.push(out.subarray(at, nl < 0 ? out.length : nl));
    at = nl < 0 ? out.length : nl + 1;
  }
  const verbose = execFileSync('tar', ['-tvzf', file, '--quoting-style=literal']);
  return {
    names: names.filter((n) => n.length > 0),
    // The member name goes to tar on stdin (NUL-terminated): argv would be re-encoded as UTF-8.
    read: (member) => execFileSync('tar', ['-xOzf', file, '--null', '-T', '-'], { input: b(member, [0]), encoding: 'utf8' }),
    linkOf: (member) => {
      const line = verbose.subarray(verbose.indexOf(b(member, ' -> ')));
      return line.subarray(member.length + 4, line.indexOf(0x0a) < 0 ? line.length : line.indexOf(0x0a));
    },
  };
}

function assertCopied(layout: string, prefix: string, what: string): void {
  const layer = lastLayer(layout);
  const has = (n: Buffer) => layer.names.some((x) => x.equals(n));
  const at = (...parts: Buffer[]): Buffer => b(`${prefix}/`, ...parts.flatMap((x, i) => (i ? [b('/'), x] : [x])));
  for (const n of [at(NAMES.file), b(at(NAMES.dir), '/'), at(NAMES.dir, NAMES.inner), at(NAMES.link), at(NAMES.utf8)]) {
    assert.ok(
      has(n),
      `${what}: ${JSON.stringify(n.toString('latin1'))} is in the layer byte for byte; it has ${layer.names.map((x) => JSON.stringify(x.toString('latin1'))).join(' ')}`,
    );
  }
  assert.equal(layer.read(at(NAMES.file)), 'ff', what);
  assert.equal(layer.read(at(NAMES.dir, NAMES.inner)), 'inner', what);
  assert.deepEqual(layer.linkOf(at(NAMES.link)), NAMES.file, `${what}: the symlink's target keeps its bytes`);
}

let reg: TestRegistry;
before(async () => {
  reg = await startRegistry('anonymous');
  await seedAlpine(reg.host, 'library/alpine', '3.20.3');
});
after(async () => {
  await reg?.stop();
});

test('COPY . of names that are not UTF-8 copies them byte for byte, in a target and a build stage, with both executors', { timeout: 300_000 }, async () => {
  const cases: [string, 'image' | 'host', string, string][] = [
    ['target', 'image', 'FROM scratch\nCOPY . /ctx/\n', 'ctx'],
    ['target', 'host', 'FROM scratch\nCOPY . /ctx/\n', 'ctx'],
    ['build', 'host', 'FROM scratch AS b\nCOPY . /ctx/\nFROM scratch\nCOPY --from=b /ctx /out/\n', 'out'],
    // A RUN sees the names, writes more of them (cp -a), and COPY --from reads them back.
    [
      'build with RUN',
      'image',
      `FROM ${reg.host}/library/alpine:3.20.3 AS b\nCOPY . /ctx/\nRUN cp -a /ctx /run-copy && cat /ctx/bad-* > /seen\nFROM scratch\nCOPY --from=b /run-copy /out/\n`,
      'out',
    ],
  ];
  for (const [i, [stage, executor, dockerfile, prefix]] of cases.entries()) {
    const what = `${stage} stage, --executor=${executor}`;
    const ctx = context(join(work, `ctx-${i}`), dockerfile);
    const out = join(work, `out-${i}`);
    const run = await ocibake(['build', ctx, '--executor', executor, '-o', `type=oci,dest=${out}`, '--progress', 'plain'], {
      env: { OCIBAKE_CACHE: join(work, `cache-${i}`) },
    });
    assert.equal(run.code, 0, `${what}: ${cleanFailure(run) ?? run.stderr}`);
    assertCopied(out, prefix, what);
    // Unchanged context, same cache: the names hash the same way, so nothing runs again.
    const again = await ocibake(['build', ctx, '--executor', executor, '-o', `type=oci,dest=${out}`, '-q'], {
      env: { OCIBAKE_CACHE: join(work, `cache-${i}`) },
    });
    assert.equal(again.code, 0, again.stderr);
  }
});
