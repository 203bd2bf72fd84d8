// The image executor's RUN layers, checked with tools nobody here wrote (umoci, GNU tar): deletes
// and replaced directories come out as OCI whiteouts, two clean caches give byte-identical
// layers with timestamps clamped to SOURCE_DATE_EPOCH, the host is never touched, a failing RUN
// says where and why, a killed build leaves nothing half-made, and xx-style helpers copied in
// with `COPY --from=<image> / /` run in a native build stage.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contextDir } from '../harness/context-dir.js';
import { alpineBaseFlag } from '../harness/alpine-index.js';
import { cleanFailure, cliPath, ocibake, repoRoot } from '../harness/cli.js';
import { runChroot, unpackPlatform } from '../harness/run-image.js';

let work: string;
let alpine: string;
const token = `ocibake-e2e-${process.pid}-${Date.now()}`;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-stages-'));
  alpine = await alpineBaseFlag();
});
after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
  for (const f of [`/etc/${token}`, `/usr/bin/${token}`]) rmSync(f, { force: true });
});

const context = (name: string, dockerfile: string, files: Record<string, string> = {}): string => contextDir(work, name, dockerfile, files);

interface LayoutIndex {
  manifests: { digest: string; annotations?: Record<string, string> }[];
}
const blob = (layout: string, digest: string): string => join(layout, 'blobs', 'sha256', digest.slice(7));
const json = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/** The layer digests of every platform's image in a layout written by `-o type=oci`. */
function layersByPlatform(layout: string): Map<string, string[]> {
  const top = json<LayoutIndex>(join(layout, 'index.json')).manifests[0]!;
  const index = json<{ manifests: { digest: string; platform: { architecture: string } }[] }>(blob(layout, top.digest));
  return new Map(
    index.manifests.map((m) => [m.platform.architecture, json<{ layers: { digest: string }[] }>(blob(layout, m.digest)).layers.map((l) => l.digest)]),
  );
}

/** GNU tar's verbose listing of a gzip layer: `[mode, owner, size, date, time, name…]` per entry. */
function tarListing(path: string): { mode: string; time: string; name: string }[] {
  const out = execFileSync('tar', ['--list', '--verbose', '--full-time', '--numeric-owner', '-z', '-f', path], {
    encoding: 'utf8',
    env: { ...process.env, TZ: 'UTC' },
  });
  return out
    .trim()
    .split('\n')
    .map((l) => {
      const f = l.split(/\s+/);
      return {
        mode: f[0]!,
        time: `${f[3]} ${f[4]}`,
        name: f
          .slice(5)
          .join(' ')
          .replace(/ -> .*| link to .*/, ''),
      };
    });
}

const WHITEOUTS = [
  'FROM alpine:3.20',
  // Delete a base file, replace a base directory by a file, empty and refill another, add links,
  // and write where the host has its own /etc and /usr/bin.
  'RUN rm /etc/motd \\',
  ' && rm -rf /etc/profile.d && echo replaced > /etc/profile.d \\',
  ' && rm -rf /usr/share/udhcpc && mkdir /usr/share/udhcpc && echo new > /usr/share/udhcpc/only \\',
  ' && mkdir -p /opt/new && echo data > /opt/new/f && ln -s /opt/new/f /opt/link && ln /opt/new/f /opt/hard \\',
  ` && echo inside > /etc/${token} && touch /usr/bin/${token}`,
  '',
].join('\n');

test('a RUN that deletes and replaces base files unpacks correctly with umoci, on amd64 and emulated arm64, and never touches the host', async () => {
  const ctx = context('whiteouts', WHITEOUTS);
  const out = join(work, 'wh-out');
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-t', 'w:1', '-o', `type=oci,dest=${out}`, '--progress', 'plain'],
    {
      env: { OCIBAKE_CACHE: join(work, 'wh-cache'), SOURCE_DATE_EPOCH: '1700000000' },
    },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.equal(existsSync(`/etc/${token}`), false, 'the host /etc is untouched');
  assert.equal(existsSync(`/usr/bin/${token}`), false, 'the host /usr/bin is untouched');

  for (const arch of ['amd64', 'arm64']) {
    const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: arch }, join(work, `wh-${arch}`));
    assert.equal(existsSync(join(rootfs, 'etc', 'motd')), false, 'the deleted file is gone');
    assert.ok(existsSync(join(rootfs, 'etc', 'issue')), 'its neighbours are not');
    assert.ok(statSync(join(rootfs, 'etc', 'profile.d')).isFile(), 'the directory became a file');
    assert.equal(readFileSync(join(rootfs, 'etc', 'profile.d'), 'utf8'), 'replaced\n');
    assert.deepEqual(readdirSync(join(rootfs, 'usr', 'share', 'udhcpc')), ['only'], 'the refilled directory holds only the new file');
    assert.ok(lstatSync(join(rootfs, 'opt', 'link')).isSymbolicLink());
    assert.equal(statSync(join(rootfs, 'opt', 'hard')).ino, statSync(join(rootfs, 'opt', 'new', 'f')).ino, 'the hard link is one file');
    assert.equal(readFileSync(join(rootfs, 'etc', token), 'utf8'), 'inside\n', 'what RUN wrote to /etc is in the image');
  }

  // The RUN layer itself: whiteouts as the OCI spec spells them, every time clamped to the epoch.
  const layers = layersByPlatform(out);
  const runLayer = layers.get('amd64')!.at(-1)!;
  const entries = tarListing(blob(out, runLayer));
  const names = entries.map((e) => e.name.replace(/^\.\//, ''));
  assert.ok(names.includes('etc/.wh.motd'), `a whiteout for /etc/motd in ${names.join(', ')}`);
  assert.ok(
    names.includes('usr/share/udhcpc/.wh..wh..opq') || names.includes('usr/share/udhcpc/.wh.default.script'),
    'the emptied directory hides what the base had in it',
  );
  assert.ok(!names.some((n) => n.startsWith('etc/profile.d/')), 'nothing of the replaced directory survives in the layer');
  const late = entries.filter((e) => e.time > '2023-11-14 22:13:20');
  assert.deepEqual(late, [], 'no timestamp after SOURCE_DATE_EPOCH=1700000000');
  assert.ok(
    entries.some((e) => e.time === '2023-11-14 22:13:20'),
    'files written by RUN carry the epoch',
  );
  // The same RUN for arm64 (under qemu) wrote the same files: its layer is the same blob.
  assert.equal(layers.get('arm64')!.at(-1), runLayer, 'amd64 and emulated arm64 RUN layers are byte-identical');
});

test('two clean caches give byte-identical RUN layers and the same index digest', async () => {
  const ctx = context('repro', WHITEOUTS);
  const digests: string[] = [];
  const layouts: string[] = [];
  for (const n of ['a', 'b']) {
    const out = join(work, `repro-${n}`);
    const run = await ocibake(['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-o', `type=oci,dest=${out}`, '-q'], {
      env: { OCIBAKE_CACHE: join(work, `repro-cache-${n}`) },
    });
    assert.equal(run.code, 0, run.stderr);
    digests.push(run.stdout.trim());
    layouts.push(out);
  }
  assert.match(digests[0]!, /^sha256:[0-9a-f]{64}$/);
  assert.equal(digests[0], digests[1]);
  const [a, b] = layouts.map(layersByPlatform) as [Map<string, string[]>, Map<string, string[]>];
  for (const arch of ['amd64', 'arm64']) {
    const la = a.get(arch)!.at(-1)!;
    const lb = b.get(arch)!.at(-1)!;
    assert.equal(la, lb);
    // Recompute from the bytes: the layouts really hold identical content under that name.
    const sum = (p: string) => `sha256:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
    assert.equal(sum(blob(layouts[0]!, la)), sum(blob(layouts[1]!, lb)));
  }
});

test('a failing RUN names the file, line, stage and platform, shows the last output lines, and exits 1', async () => {
  const ctx = context('fail', ['FROM alpine:3.20 AS tools', 'RUN echo first-line && echo second-line >&2 && exit 3', ''].join('\n'));
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'fail-out')}`, '--progress', 'plain'],
    {
      env: { OCIBAKE_CACHE: join(work, 'fail-cache') },
    },
  );
  assert.equal(cleanFailure(run), undefined);
  assert.equal(run.code, 1);
  assert.match(run.stderr, /^error: .*Dockerfile:2: \[linux\/amd64 tools\] RUN echo first-line.* exited with code 3$/m);
  assert.match(run.stderr, /^ +\| first-line$/m);
  assert.match(run.stderr, /^ +\| second-line$/m);
  assert.equal(existsSync(join(work, 'fail-out')), false, 'no output is written for a failed build');
});

test('--no-emulation turns a foreign-CPU RUN into an error that names the line and how to avoid it', async () => {
  const ctx = context('no-emu', 'FROM alpine:3.20\nRUN adduser -D app\n');
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '--no-emulation', '-o', `type=oci,dest=${join(work, 'no-emu-out')}`],
    {
      env: { OCIBAKE_CACHE: join(work, 'no-emu-cache') },
    },
  );
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /^error: .*Dockerfile:2:1: RUN: RUN for linux\/arm64 would be emulated .*--no-emulation/m);
  assert.match(run.stderr, /^ +2 \| RUN adduser -D app$/m);
  assert.match(run.stderr, /^hint: .*BUILDPLATFORM.*cross-compile/m);
  assert.doesNotMatch(run.stderr, /1\/1 RUN adduser/, 'decided before any RUN starts, amd64 included');
});

test('the first failing stage stops its siblings: their RUN processes are killed, not waited for', async () => {
  const marker = `${token}-sibling`;
  const ctx = context(
    'fail-fast',
    [
      'FROM alpine:3.20',
      'ARG TARGETARCH',
      `RUN if [ "$TARGETARCH" = amd64 ]; then sleep 1; exit 7; fi; echo ${marker}-started; sleep 60; echo ${marker}-$((1+1))done`,
      '',
    ].join('\n'),
  );
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64,linux/arm64', '--base', alpine, '-o', `type=oci,dest=${join(work, 'fail-fast-out')}`, '--progress', 'plain'],
    {
      env: { OCIBAKE_CACHE: join(work, 'fail-fast-cache') },
    },
  );
  assert.equal(cleanFailure(run), undefined);
  assert.match(run.stderr, /^error: .*Dockerfile:3: \[linux\/amd64 0\] RUN .* exited with code 7$/m);
  assert.doesNotMatch(run.stderr, new RegExp(`${marker}-2done`), 'the arm64 RUN was stopped');
  assert.equal(livingWith(marker), '', 'and none of its processes is left');
});

/** Everything a build keeps in the cache is whole: each blob hashes to its name, each snapshot has its record. */
function assertCacheWhole(cache: string): void {
  const blobs = join(cache, 'blobs', 'sha256');
  for (const name of existsSync(blobs) ? readdirSync(blobs) : []) {
    assert.equal(
      createHash('sha256')
        .update(readFileSync(join(blobs, name)))
        .digest('hex'),
      name,
      `blob ${name} is whole`,
    );
  }
  const snapshots = join(cache, 'snapshots', 'root');
  for (const id of existsSync(snapshots) ? readdirSync(snapshots) : []) {
    if (id === '.tmp') continue;
    assert.ok(existsSync(join(snapshots, id, 'meta.json')), `snapshot ${id} is complete`);
  }
}

const mountsUnder = (dir: string): string[] =>
  readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir));

const livingWith = (marker: string): string => {
  try {
    return execFileSync('pgrep', ['-af', marker], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/** Starts a build of `ctx` and resolves once its RUN printed `marker`; returns the child. */
async function buildUntil(ctx: string, cache: string, marker: string): Promise<ReturnType<typeof spawn>> {
  const child = spawn(
    process.execPath,
    [cliPath, 'build', ctx, '--platform', 'linux/amd64', '--base', alpine, '-o', `type=oci,dest=${join(work, `out-${marker}`)}`, '--progress', 'plain'],
    {
      env: { ...process.env, OCIBAKE_CACHE: cache },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let seen = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the RUN never printed ${marker}:\n${seen}`)), 60_000);
    child.stderr.on('data', (c: Buffer) => {
      seen += c.toString();
      if (seen.includes(`| ${marker}`) || seen.includes(`] ${marker}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', () => reject(new Error(`the build ended before its RUN started:\n${seen}`)));
  });
  return child;
}

test('a build killed with SIGKILL mid-RUN leaves no process, no mount and nothing half-made; the next build sweeps its temp dirs', async () => {
  const marker = `${token}-kill`;
  const ctx = context('kill', ['FROM alpine:3.20', 'ARG NAP=120', `RUN echo ${marker} && sleep $NAP && echo never > /never`, ''].join('\n'));
  const cache = join(work, 'kill-cache');
  const child = await buildUntil(ctx, cache, marker);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('close', r));
  // The RUN's processes die with ocibake (pdeathsig), and the mount namespace with them.
  for (let i = 0; i < 50 && livingWith(marker); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(livingWith(marker), '', 'no RUN process outlives ocibake');
  assert.deepEqual(mountsUnder(cache), [], 'no mount is left on the host');
  assertCacheWhole(cache);
  const steps = join(cache, 'steps');
  const records = existsSync(steps) ? readdirSync(steps, { recursive: true }).map(String) : [];
  const before = records.length;

  const again = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64', '--base', alpine, '--build-arg', 'NAP=0', '-o', `type=oci,dest=${join(work, 'kill-out')}`, '-q'],
    { env: { OCIBAKE_CACHE: cache } },
  );
  assert.equal(again.code, 0, again.stderr);
  const tmp = join(cache, 'snapshots', 'root', '.tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'the killed build’s temp dirs are gone');
  assertCacheWhole(cache);
  assert.ok(readdirSync(steps, { recursive: true }).length > before, 'the finished RUN was recorded');
});

test('SIGTERM mid-RUN stops the build cleanly: exit 130, one message, no stack trace, no leftovers', async () => {
  const marker = `${token}-term`;
  const ctx = context('term', ['FROM alpine:3.20', `RUN echo ${marker} && sleep 120`, ''].join('\n'));
  const cache = join(work, 'term-cache');
  const child = await buildUntil(ctx, cache, marker);
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((r) => child.once('close', (c) => r(c)));
  assert.equal(code, 130, stderr);
  assert.match(stderr, /received SIGTERM: stopping the build/);
  assert.doesNotMatch(stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
  assert.equal(livingWith(marker), '');
  assert.deepEqual(mountsUnder(cache), []);
  const tmp = join(cache, 'snapshots', 'root', '.tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp) : [], [], 'an interrupted build removes its own temp dirs');
  assert.equal(readdirSync(cache).filter((n) => n.startsWith('tmp-build-')).length, 0, 'and its scratch directory');
  assertCacheWhole(cache);
});

test('COPY --from=tonistiigi/xx / / brings helpers into a native build stage that answer for each target', async () => {
  // A helper image of our own in the shape of tonistiigi/xx: scripts in /usr/bin, no base.
  const xxCtx = context('xx-image', 'FROM scratch\nCOPY --chmod=0755 xx-info /usr/bin/xx-info\n');
  copyFileSync(join(repoRoot, 'test', 'fixtures', 'stages', 'xx-info'), join(xxCtx, 'xx-info'));
  const xxLayout = join(work, 'xx-layout');
  const made = await ocibake(['build', xxCtx, '--platform', 'linux/amd64', '-t', 'xx:1', '-o', `type=oci,dest=${xxLayout}`, '-q'], {
    env: { OCIBAKE_CACHE: join(work, 'xx-cache') },
  });
  assert.equal(made.code, 0, made.stderr);

  const ctx = context(
    'xx-use',
    [
      'FROM --platform=$BUILDPLATFORM alpine:3.20 AS build',
      'COPY --from=tonistiigi/xx / /',
      'ARG TARGETPLATFORM',
      'RUN mkdir /out && xx-info triple > /out/triple && uname -m > /out/built-on',
      'FROM alpine:3.20',
      'COPY --from=build /out/ /etc/xx/',
      '',
    ].join('\n'),
  );
  const out = join(work, 'xx-out');
  const run = await ocibake(
    [
      'build',
      ctx,
      '--platform',
      'linux/amd64,linux/arm64,linux/arm/v7',
      '--base',
      alpine,
      '--base',
      `tonistiigi/xx=oci-layout://${xxLayout}:1`,
      '-t',
      'x:1',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
    ],
    { env: { OCIBAKE_CACHE: join(work, 'xx-cache') } },
  );
  assert.equal(run.code, 0, run.stderr);
  assert.doesNotMatch(run.stderr, /emulated/, 'the build stage runs natively for every target');
  for (const [arch, variant, triple] of [
    ['amd64', undefined, 'x86_64-linux-musl'],
    ['arm64', undefined, 'aarch64-linux-musl'],
    ['arm', 'v7', 'armv7-linux-musleabihf'],
  ] as const) {
    const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: arch, ...(variant ? { variant } : {}) }, join(work, `xx-${arch}`));
    assert.equal(readFileSync(join(rootfs, 'etc', 'xx', 'triple'), 'utf8').trim(), triple);
    assert.equal(
      readFileSync(join(rootfs, 'etc', 'xx', 'built-on'), 'utf8').trim(),
      execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim(),
      'built on the build machine’s CPU',
    );
    if (arch === 'amd64') assert.equal(runChroot(rootfs, ['/bin/cat', '/etc/xx/triple']).stdout.trim(), triple);
  }
});

test('RUN sees the ids Docker gives: root with its /etc/group memberships, USER with its own, never ocibake’s groups', async () => {
  const ctx = context(
    'ids',
    ['FROM alpine:3.20', 'RUN id > /id-root', 'RUN adduser -D app && addgroup app wheel', 'USER app', 'RUN id > /tmp/id-app', ''].join('\n'),
  );
  const out = join(work, 'ids-out');
  const run = await ocibake(['build', ctx, '--platform', 'linux/amd64', '--base', alpine, '-t', 'ids:1', '-o', `type=oci,dest=${out}`], {
    env: { OCIBAKE_CACHE: join(work, 'ids-cache') },
  });
  assert.equal(run.code, 0, run.stderr);
  const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: 'amd64' }, join(work, 'ids-u'));
  // What `docker run alpine id` prints.
  assert.equal(
    readFileSync(join(rootfs, 'id-root'), 'utf8').trim(),
    'uid=0(root) gid=0(root) groups=0(root),1(bin),2(daemon),3(sys),4(adm),6(disk),10(wheel),11(floppy),20(dialout),26(tape),27(video)',
  );
  assert.equal(readFileSync(join(rootfs, 'tmp', 'id-app'), 'utf8').trim(), 'uid=1000(app) gid=1000(app) groups=10(wheel),1000(app)');
});

test('COPY --from keeps hard links among the files it copies: one copy of the bytes in the layer, one inode in the image', async () => {
  const ctx = context(
    'hardlinks',
    [
      'FROM alpine AS build',
      'RUN mkdir /out && head -c 200000 /dev/zero | tr "\\0" "x" > /out/big && ln /out/big /out/big2 && mkdir /out/sub && ln /out/big /out/sub/big3',
      'FROM alpine',
      'COPY --from=build /out /out',
      // The stage's own snapshot of the COPY has the links too: what a later RUN sees.
      'RUN [ "$(stat -c %h /out/big)" = 3 ] && [ "$(stat -c %i /out/big)" = "$(stat -c %i /out/sub/big3)" ]',
      '',
    ].join('\n'),
  );
  const out = join(work, 'hardlinks-out');
  const run = await ocibake(
    ['build', ctx, '--platform', 'linux/amd64', '--index', '--base', alpine, '-t', 'h:1', '-o', `type=oci,dest=${out}`, '--progress', 'plain'],
    {
      env: { OCIBAKE_CACHE: join(work, 'hardlinks-cache') },
    },
  );
  assert.equal(run.code, 0, run.stderr);
  const layers = layersByPlatform(out).get('amd64')!;
  // The RUN after the COPY changes nothing, so it has no layer (as in BuildKit): the COPY's is last.
  const copyLayer = blob(out, layers.at(-1)!);
  const listing = execFileSync('tar', ['-tvzf', copyLayer], { encoding: 'utf8' });
  assert.match(listing, /out\/big2 link to out\/big$/m, listing);
  assert.match(listing, /out\/sub\/big3 link to out\/big$/m, listing);
  const uncompressed = Number(execFileSync('sh', ['-c', `gzip -dc '${copyLayer}' | wc -c`], { encoding: 'utf8' }).trim());
  assert.ok(uncompressed < 2 * 200000, `the bytes are in the layer once (${uncompressed} bytes uncompressed)`);
  const rootfs = await unpackPlatform(out, '1', { os: 'linux', architecture: 'amd64' }, join(work, 'hardlinks-rootfs'));
  assert.equal(statSync(join(rootfs, 'out', 'big')).ino, statSync(join(rootfs, 'out', 'sub', 'big3')).ino, 'umoci unpacks one inode');
  assert.equal(statSync(join(rootfs, 'out', 'big2')).nlink, 3);
});
