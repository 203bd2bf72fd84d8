// ocibake as a normal user, in both rootless modes of the image executor: a user with an
// /etc/subuid + /etc/subgid range (`userns-range`: newuidmap maps 65536 ids) and one without
// (`userns-single`: only root exists inside RUN, apt gets `APT::Sandbox::User "root"` through a
// mount). The test makes both users itself (useradd, ranges appended to /etc/subuid and
// /etc/subgid, all removed and the files restored byte for byte in after()), runs the built CLI
// as them with runuser, and checks what they built with skopeo, umoci and tar, against root's
// build of the same inputs. Needs root, the uidmap package, binfmt_misc qemu-aarch64 and Debian's
// mirror (the Debian base is made by mmdebstrap, cached per day).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sharedAlpineLayout } from '../harness/alpine-index.js';
import { type CliResult } from '../harness/cli.js';
import { tempDebianLayout } from '../harness/debian-image.js';
import { readableInstall } from '../harness/readable-install.js';
import { unpackPlatform } from '../harness/run-image.js';
import { TestUsers, type TestUser } from '../harness/test-users.js';

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const APT_SHIM = 'APT::Sandbox::User';

/** Who builds: a test user, or root (the reference the rootless builds are compared with). */
type Builder = TestUser | 'root';

const users = new TestUsers();
let rangeUser: TestUser;
let singleUser: TestUser;
let work: string;
let alpineBase: string;
/** The CLI the builders run: a world-readable copy of the build (see readable-install.ts). */
let main: string;
let debianBase: string;
const started: number[] = [];

const nameOf = (b: Builder): string => (b === 'root' ? 'root' : b.name);
const dirOf = (b: Builder): string => join(work, nameOf(b));

let cleaned = false;

function cleanupAll(): void {
  if (cleaned) return;
  cleaned = true;
  // Only what this file started: process groups of killed builds, then processes of the test users' ids.
  for (const pid of started.splice(0)) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const u of [rangeUser, singleUser]) if (u) for (const pid of processesOf(u)) killQuietly(pid);
  const problems = users.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
  if (problems.length) throw new Error(problems.join('; '));
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/** Host ids that belong to a user: its own uid and its subordinate range. */
function idsOf(u: TestUser): (id: number) => boolean {
  return (id) => id === u.uid || (u.range !== undefined && id >= u.range.start && id < u.range.start + u.range.count);
}

/** Pids whose real or effective uid is one of the user's ids (/proc scan; pgrep takes no id ranges). */
function processesOf(u: TestUser): number[] {
  const mine = idsOf(u);
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let status: string;
    try {
      status = readFileSync(`/proc/${name}/status`, 'utf8');
    } catch {
      continue;
    }
    const uids = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
    if (uids && (mine(Number(uids[1])) || mine(Number(uids[2])))) out.push(Number(name));
  }
  return out;
}

/** Mount lines, in any mount namespace still alive, that mention `path`. */
function mountsUnder(path: string): string[] {
  const out = new Set<string>();
  for (const name of ['self', ...readdirSync('/proc').filter((n) => /^\d+$/.test(n))]) {
    let text: string;
    try {
      text = readFileSync(`/proc/${name}/mounts`, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n')) if (line.includes(path)) out.add(line);
  }
  return [...out];
}

async function until(what: string, ok: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The argv that runs the CLI as `b` with a clean environment: HOME and the cache in the builder's own dir. */
function cliArgv(b: Builder, cache: string, args: string[]): [string, string[]] {
  const env = ['env', '-i', `PATH=${PATH}`, `HOME=${join(dirOf(b), 'home')}`, `OCIBAKE_CACHE=${cache}`, process.execPath, main, ...args];
  return b === 'root' ? [env[0]!, env.slice(1)] : ['runuser', ['-u', b.name, '--', ...env]];
}

/** `bake` runs the CLI as `b` (never throws on a non-zero exit). */
function bake(b: Builder, args: string[], o: { cache?: string } = {}): Promise<CliResult> {
  const [cmd, argv] = cliArgv(b, o.cache ?? join(dirOf(b), 'cache'), args);
  return new Promise((resolve) => {
    execFile(cmd, argv, { cwd: dirOf(b), maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The files of an image layout: its manifest (of `platform`, for an index) and config, and blob paths. */
function image(layout: string, architecture?: string): { layers: string[]; diffIds: string[]; config: Record<string, unknown> } {
  const blob = (digest: string): string => join(layout, 'blobs', 'sha256', digest.slice('sha256:'.length));
  const json = (digest: string): Record<string, unknown> => JSON.parse(readFileSync(blob(digest), 'utf8')) as Record<string, unknown>;
  const top = (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] }).manifests[0]!;
  let m = json(top.digest);
  if (m['manifests']) {
    const entries = m['manifests'] as { digest: string; platform: { architecture: string } }[];
    m = json(entries.find((e) => e.platform.architecture === architecture)!.digest);
  }
  const config = json((m['config'] as { digest: string }).digest);
  return {
    layers: (m['layers'] as { digest: string }[]).map((l) => blob(l.digest)),
    diffIds: (config['rootfs'] as { diff_ids: string[] }).diff_ids,
    config,
  };
}

/** One member of a layer tar as `tar -tv --numeric-owner` lists it (`raw` is its name in the tar, `path` without `./`). */
interface Member {
  path: string;
  raw: string;
  mode: string;
  owner: string;
}

const listings = new Map<string, Member[]>();

/** The members of a gzip layer blob, listed by GNU tar (once per blob). */
function members(blob: string): Member[] {
  let list = listings.get(blob);
  if (!list) {
    const text = execFileSync('tar', ['--numeric-owner', '-tvzf', blob], { encoding: 'utf8', maxBuffer: 64 << 20 });
    list = text
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [mode = '', owner = '', , , , ...rest] = line.split(/\s+/);
        const raw = rest.join(' ').replace(/ (->|link to) .*$/, '');
        return { mode, owner, raw, path: raw.replace(/^\.\//, '') };
      });
    listings.set(blob, list);
  }
  return list;
}

/** The content of one file of a layer blob, extracted by GNU tar. */
function fileIn(blob: string, path: string): string {
  const m = members(blob).find((x) => x.path === path);
  assert.ok(m, `${path} is not in ${blob}`);
  return execFileSync('tar', ['-xzOf', blob, m.raw], { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** The sha256 of a blob's gunzipped bytes (gzip and sha256sum, not ocibake), as a diffID. */
function diffIdOf(blob: string): string {
  return `sha256:${execFileSync('sh', ['-c', 'gzip -dc "$1" | sha256sum', 'sh', blob], { encoding: 'utf8', maxBuffer: 1 << 20 }).slice(0, 64)}`;
}

/** Every apt.conf.d file of every layer, with its content: the one-uid apt setting must be in none. */
function aptConfFiles(layers: string[]): { layer: number; path: string; text: string }[] {
  return layers.flatMap((blob, layer) =>
    members(blob)
      .filter((m) => /^etc\/apt\/apt\.conf\.d\/[^/]+$/.test(m.path) && m.mode.startsWith('-'))
      .map((m) => ({ layer, path: m.path, text: fileIn(blob, m.path) })),
  );
}

function metadata(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function sandboxMode(file: string): string | undefined {
  return (metadata(file)['ocibake.build'] as { sandbox?: { mode?: string } } | undefined)?.sandbox?.mode;
}

/** The debug line a build prints about its sandbox, for the mode each builder must get. */
function isolationLine(b: Builder): RegExp {
  if (b === 'root') return /^debug: RUN isolation: root, copy-on-write: overlay \(volatile\)$/m;
  if (b.range)
    return new RegExp(
      `^debug: RUN isolation: userns-range, copy-on-write: overlay \\(userxattr,volatile\\), uids 0→${b.uid}×1, 1→${b.range.start}×65536, gids 0→${b.gid}×1, 1→${b.range.start}×65536$`,
      'm',
    );
  return new RegExp(
    `^debug: RUN isolation: userns-single, copy-on-write: overlay \\(userxattr,volatile\\), uids 0→${b.uid}×1, gids 0→${b.gid}×1 \\(no /etc/subuid and /etc/subgid range for this user: only root exists inside RUN\\)$`,
    'm',
  );
}

function context(name: string, dockerfile: string): string {
  const dir = join(work, 'contexts', name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'Dockerfile'), dockerfile);
  return dir;
}

/** Files under `root` (not under `except`, not crossing into other filesystems) whose uid or gid `owned` accepts. */
function ownedBy(owned: (id: number) => boolean, root: string, except: string[]): string[] {
  const dev = lstatSync(root).dev;
  const out: string[] = [];
  const walk = (dir: string): void => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (except.some((e) => p === e || p.startsWith(`${e}/`))) continue;
      const st = lstatSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (owned(st.uid) || owned(st.gid)) out.push(p);
      if (st.isDirectory() && st.dev === dev) walk(p);
    }
  };
  walk(root);
  return out;
}

/** The user's subordinate ids only (none without a range). */
function subIdsOf(u: TestUser): (id: number) => boolean {
  return (id) => u.range !== undefined && id >= u.range.start && id < u.range.start + u.range.count;
}

const ALPINE_RUN = 'adduser -D -u 10001 app && mkdir -p /data && chown app /data && echo hi > /etc/written-by-run && touch /usr/bin/written-by-run';
const ALPINE = `FROM alpine\nRUN ${ALPINE_RUN}\nUSER app\nWORKDIR /data\n`;
// What a one-uid namespace can do of the same: everything but the chown.
const ALPINE_ONE_UID = `FROM alpine\nRUN ${ALPINE_RUN.replace(' && chown app /data', '')}\nUSER app\nWORKDIR /data\n`;
const DEBIAN = 'FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends hello\nRUN hello > /greeting\n';

before(async () => {
  assert.equal(process.getuid?.(), 0, 'this file makes host users: run it as root');
  for (const t of ['useradd', 'userdel', 'runuser', 'newuidmap', 'newgidmap']) execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'pipe' });
  process.once('exit', () => {
    try {
      cleanupAll();
    } catch {
      // after() reports problems; this is the fallback for an interrupted run
    }
  });
  work = mkdtempSync(join(tmpdir(), 'ocibake-e2e-rootless-'));
  chmodSync(work, 0o755);
  main = readableInstall(join(work, 'ocibake'));
  // The bases live in 0700 temp dirs of root's: the users get readable copies.
  const [alpine, debian] = await Promise.all([sharedAlpineLayout(), tempDebianLayout([{ arch: 'amd64' }])]);
  for (const [name, layout] of [
    ['alpine', alpine.dir],
    ['debian', debian.dir],
  ] as const) {
    cpSync(layout, join(work, 'bases', name), { recursive: true });
  }
  execFileSync('chmod', ['-R', 'a+rX', join(work, 'bases')]);
  alpineBase = `alpine=oci-layout://${join(work, 'bases', 'alpine')}:${alpine.tag}`;
  debianBase = `debian=oci-layout://${join(work, 'bases', 'debian')}:${debian.tag}`;
  rangeUser = users.add(`obtest-range-${process.pid}`, { range: true });
  singleUser = users.add(`obtest-single-${process.pid}`);
  for (const b of [rangeUser, singleUser, 'root'] as const) {
    mkdirSync(join(dirOf(b), 'home'), { recursive: true });
    if (b !== 'root') {
      chownSync(dirOf(b), b.uid, b.gid);
      chownSync(join(dirOf(b), 'home'), b.uid, b.gid);
    }
    chmodSync(dirOf(b), 0o700);
  }
  // The users must be able to run the copy, or nothing below means anything.
  for (const u of [rangeUser, singleUser]) {
    const v = await bake(u, ['--version']);
    assert.equal(v.code, 0, `${u.name} cannot run ${main}: ${v.stderr}`);
  }
});

after(() => {
  cleanupAll();
});

for (const which of ['range', 'single'] as const) {
  test(`Alpine, linux/amd64 + linux/arm64 (arm64 emulated), as the user ${which === 'range' ? 'with' : 'without'} a subuid range`, async () => {
    const u = which === 'range' ? rangeUser : singleUser;
    assert.ok(
      !existsSync('/etc/written-by-run') && !existsSync('/usr/bin/written-by-run'),
      'the host has the files the RUN writes already: the check below would mean nothing',
    );
    const out = join(dirOf(u), 'alpine');
    const meta = join(dirOf(u), 'alpine.json');
    const common = [
      '--platform',
      'linux/amd64,linux/arm64',
      '--base',
      alpineBase,
      '-t',
      'rootless:alpine',
      '-o',
      `type=oci,dest=${out}`,
      '--progress',
      'plain',
      '--debug',
      '--metadata-file',
      meta,
    ];
    const run = await bake(u, ['build', context('alpine', ALPINE), ...common]);
    assert.match(run.stderr + run.stdout, isolationLine(u));
    assert.ok(!existsSync('/etc/written-by-run') && !existsSync('/usr/bin/written-by-run'), 'RUN wrote to the host');
    let dataUid = 10001;
    if (which === 'range') {
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stderr + run.stdout, /emulated through qemu-aarch64/);
      assert.equal(sandboxMode(meta), 'userns-range');
    } else {
      // The documented limit: one uid, so the chown to 10001 fails, with the reason and the fix in the hint.
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /^error: .*Dockerfile:2: \[linux\/(amd64|arm64) 0\] RUN adduser .* exited with code 1$/m);
      assert.match(run.stderr, /\| chown: \/data: Invalid argument/);
      assert.match(
        run.stderr,
        /RUN isolation here is userns-single, a user namespace that maps only root: switching to another user, or chown\/chgrp to another id, fails \("Invalid argument"\)/,
      );
      assert.ok(run.stderr.includes(`sudo usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${u.name}`), run.stderr);
      assert.ok(!existsSync(out), 'a failed build wrote no output');
      const rerun = await bake(u, ['build', context('alpine-one-uid', ALPINE_ONE_UID), ...common]);
      assert.equal(rerun.code, 0, rerun.stderr);
      assert.equal(sandboxMode(meta), 'userns-single');
      // Files a RUN makes belong to root in a one-uid namespace (adduser's chown of /home/app failed too).
      assert.match(rerun.stderr + rerun.stdout, /adduser: \/home\/app: Invalid argument/);
      dataUid = 0;
    }
    for (const arch of ['amd64', 'arm64']) {
      const rootfs = await unpackPlatform(out, 'alpine', { os: 'linux', architecture: arch }, join(work, 'unpack', `${u.name}-alpine-${arch}`));
      assert.match(readFileSync(join(rootfs, 'etc', 'passwd'), 'utf8'), /^app:x:10001:10001:/m, `${arch}: adduser ran in the image`);
      assert.equal(statSync(join(rootfs, 'data')).uid, dataUid, `${arch}: owner of /data`);
      assert.equal(readFileSync(join(rootfs, 'etc', 'written-by-run'), 'utf8'), 'hi\n');
      assert.ok(existsSync(join(rootfs, 'usr', 'bin', 'written-by-run')));
      const cfg = image(out, arch).config['config'] as { User?: string; WorkingDir?: string };
      assert.deepEqual([cfg.User, cfg.WorkingDir], ['app', '/data']);
    }
  });
}

test("Alpine reproduces: each user's build again with a fresh cache has the same index digest, and the range user's equals root's", async () => {
  const digests = new Map<string, string>();
  const runs: [Builder, string, string][] = [
    ['root', 'alpine', ALPINE],
    [rangeUser, 'alpine', ALPINE],
    [rangeUser, 'alpine', ALPINE],
    [singleUser, 'alpine-one-uid', ALPINE_ONE_UID],
    [singleUser, 'alpine-one-uid', ALPINE_ONE_UID],
  ];
  for (const [i, [b, ctx, df]] of runs.entries()) {
    const meta = join(dirOf(b), `repro-${i}.json`);
    const run = await bake(
      b,
      [
        'build',
        context(ctx, df),
        '--platform',
        'linux/amd64,linux/arm64',
        '--base',
        alpineBase,
        '-o',
        `type=oci,dest=${join(dirOf(b), `repro-${i}`)}`,
        '--metadata-file',
        meta,
        '--progress',
        'plain',
      ],
      {
        cache: join(dirOf(b), `repro-cache-${i}`),
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const digest = metadata(meta)['containerimage.digest'] as string;
    const key = `${nameOf(b)} ${ctx}`;
    if (digests.has(key)) assert.equal(digest, digests.get(key), `${key}: a second build with a fresh cache gave another index`);
    digests.set(key, digest);
  }
  assert.equal(digests.get(`${rangeUser.name} alpine`), digests.get('root alpine'), 'the range user and root built different images from the same inputs');
});

const debianBuilt = new Map<string, { layers: string[]; diffIds: string[] }>();

for (const b of ['root', 'range', 'single'] as const) {
  test(`Debian: apt-get install in the image, as ${b === 'root' ? 'root' : `the user ${b === 'range' ? 'with' : 'without'} a subuid range`}`, async () => {
    const who: Builder = b === 'root' ? 'root' : b === 'range' ? rangeUser : singleUser;
    const out = join(dirOf(who), 'debian');
    const meta = join(dirOf(who), 'debian.json');
    const run = await bake(who, [
      'build',
      context('debian', DEBIAN),
      '--platform',
      'linux/amd64',
      '--base',
      debianBase,
      '-t',
      'rootless:debian',
      '-o',
      `type=oci,dest=${out}`,
      '--metadata-file',
      meta,
      '--progress',
      'plain',
      '--debug',
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stderr + run.stdout, isolationLine(who));
    assert.equal(sandboxMode(meta), b === 'root' ? 'root' : `userns-${b}`);
    const img = image(out);
    debianBuilt.set(b, img);
    assert.equal(img.layers.length, 3, 'the base layer and one per RUN');
    // Read from the layers with gzip and GNU tar (umoci would take ~20 s per image here): the bytes are the diffIDs, the files are there.
    assert.deepEqual(img.layers.map(diffIdOf), img.diffIds, 'a layer does not hash to its diffID');
    assert.equal(fileIn(img.layers[2]!, 'greeting'), 'Hello, world!\n');
    assert.match(fileIn(img.layers[1]!, 'var/lib/dpkg/status'), /^Package: hello\nStatus: install ok installed$/m);
    // The base's own apt.conf.d files are read too, so this looks at real files; none may hold the one-uid setting.
    const conf = aptConfFiles(img.layers);
    assert.ok(
      conf.some((c) => c.layer === 0 && c.path === 'etc/apt/apt.conf.d/70debconf'),
      'the base layer has apt.conf.d files',
    );
    assert.deepEqual(
      conf.filter((c) => c.text.includes(APT_SHIM)),
      [],
    );
    assert.deepEqual(
      img.layers.slice(1).flatMap((l) => members(l).filter((m) => m.path.includes('ocibake'))),
      [],
      'a trace of ocibake in a RUN layer',
    );
  });
}

test('Debian: the RUN layers of root and of both users agree where the ids can', () => {
  const [root, range, single] = (['root', 'range', 'single'] as const).map((b) => {
    const built = debianBuilt.get(b);
    assert.ok(built, `the Debian build as ${b} failed above`);
    return built;
  });
  // `RUN hello > /greeting` changes one file: the same layer whoever ran it (the sandbox's mount points leave no trace).
  assert.deepEqual(
    members(single!.layers[2]!).map((m) => m.path),
    ['greeting'],
  );
  assert.equal(range!.diffIds[2], root!.diffIds[2]);
  assert.equal(single!.diffIds[2], root!.diffIds[2]);
  // The apt layer holds apt's logs with the time of day, so its bytes never reproduce; its members, modes and owners do.
  const listing = (blob: string): string[] => members(blob).map((m) => `${m.mode} ${m.owner} ${m.path}`);
  assert.deepEqual(listing(range!.layers[1]!), listing(root!.layers[1]!));
  // With one uid, apt's `_apt` (42) does not exist: what apt made for it belongs to root (the documented limit).
  const owner = (blob: string, path: string): string | undefined => members(blob).find((m) => m.path === path)?.owner;
  assert.equal(owner(range!.layers[1]!, 'var/lib/apt/lists/partial/'), '42/0');
  assert.equal(owner(single!.layers[1]!, 'var/lib/apt/lists/partial/'), '0/0');
});

for (const which of ['range', 'single'] as const) {
  test(`a build killed during RUN (kill -9 of its process group) is swept by the next one, as the user ${which === 'range' ? 'with' : 'without'} a subuid range`, async () => {
    const u = which === 'range' ? rangeUser : singleUser;
    const cache = join(dirOf(u), 'killed-cache');
    // Leave behind what only the namespace can remove: files of a subordinate id (range) or a mode-0 directory with content.
    const leave =
      which === 'range' ? 'mkdir -p /x/y && touch /x/y/f && chown -R 4242:4242 /x && chmod 700 /x' : 'mkdir -p /x/y && touch /x/y/f && chmod 0 /x/y /x';
    // The marker is made by the shell: the step's own announcement (which shows the command) must not match.
    const ctx = context(`killed-${which}`, `FROM alpine\nRUN ${leave} && echo "sleep""ing-now" && sleep 30\n`);
    const [cmd, argv] = cliArgv(u, cache, [
      'build',
      ctx,
      '--platform',
      'linux/amd64',
      '--base',
      alpineBase,
      '-o',
      `type=oci,dest=${join(dirOf(u), 'killed')}`,
      '--progress',
      'plain',
    ]);
    const child = spawn(cmd, argv, { cwd: dirOf(u), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child.pid!);
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
    const sleeping = /^\[0@linux\/amd64\] sleeping-now$/m;
    await until('the RUN to start sleeping', () => sleeping.test(output) || child.exitCode !== null, 60_000);
    assert.match(output, sleeping);
    process.kill(-child.pid!, 'SIGKILL');
    await closed;
    started.splice(started.indexOf(child.pid!), 1);
    await until(`no processes of ${u.name}'s ids`, () => processesOf(u).length === 0);
    assert.equal(spawnSync('pgrep', ['-u', String(u.uid)]).status, 1, `pgrep finds processes of ${u.name}`);
    assert.deepEqual(mountsUnder(cache), [], 'mounts outlived the build');
    const tmpDirs = (): string[] =>
      readdirSync(join(cache, 'snapshots'))
        .filter((d) => d.startsWith('map-'))
        .flatMap((d) => readdirSync(join(cache, 'snapshots', d, 'userns', '.tmp')).map((n) => join(cache, 'snapshots', d, 'userns', '.tmp', n)));
    const left = tmpDirs();
    assert.ok(
      left.some((d) => /\/scratch-\d+-/.test(d)),
      `the killed RUN left its scratch dir: ${left.join(', ')}`,
    );
    if (which === 'range')
      assert.ok(ownedBy((id) => id === u.range!.start + 4241, cache, []).length > 0, 'the killed RUN left files of a subordinate id in the cache');
    const next = await bake(
      u,
      [
        'build',
        context('after-kill', 'FROM alpine\nRUN echo again > /again\n'),
        '--platform',
        'linux/amd64',
        '--base',
        alpineBase,
        '-o',
        `type=oci,dest=${join(dirOf(u), 'after-kill')}`,
        '--progress',
        'plain',
        '--debug',
      ],
      { cache },
    );
    assert.equal(next.code, 0, next.stderr);
    const swept = /^debug: removed (\d+) temp dir\(s\) a killed build left in /m.exec(next.stderr + next.stdout);
    assert.ok(swept && Number(swept[1]) >= 1, next.stderr);
    assert.deepEqual(tmpDirs(), [], 'snapshot temp dirs are left after the next build');
    assert.deepEqual(processesOf(u), []);
    assert.deepEqual(mountsUnder(cache), []);
    // Subordinate-id files may exist only inside caches (their snapshots); never in the user's other dirs or in /tmp.
    const caches = readdirSync(dirOf(u))
      .filter((n) => n.includes('cache'))
      .map((n) => join(dirOf(u), n));
    assert.ok(caches.includes(cache));
    assert.deepEqual(ownedBy(subIdsOf(u), dirOf(u), caches), []);
    assert.deepEqual(ownedBy(idsOf(u), tmpdir(), [dirOf(u)]), []);
  });
}

test('without a subuid range, RUN under a non-root USER is refused before it starts, with the reason and the fix', async () => {
  const run = await bake(singleUser, [
    'build',
    context('user-run', 'FROM alpine\nRUN adduser -D -u 10001 app\nUSER app\nRUN id > /tmp/id\n'),
    '--platform',
    'linux/amd64',
    '--base',
    alpineBase,
    '-o',
    `type=oci,dest=${join(dirOf(singleUser), 'user-run')}`,
    '--progress',
    'plain',
  ]);
  assert.equal(run.code, 1, run.stderr);
  assert.match(
    run.stderr,
    /^error: .*Dockerfile:4: RUN id > \/tmp\/id: RUN as USER app \(uid 10001, gid 10001\) cannot run here: only root exists inside RUN$/m,
  );
  assert.match(run.stderr, /^hint: RUN isolation here is userns-single/m);
  assert.doesNotMatch(run.stderr, /setgroups failed/);
  assert.doesNotMatch(run.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
});

test('a changed subuid range does not reuse snapshots unpacked under the old one', async () => {
  const ctx = context('shadow-group', 'FROM alpine\nRUN stat -c shadow=%u:%g /etc/shadow\n');
  const cache = join(dirOf(rangeUser), 'remap-cache');
  const build = (): Promise<CliResult> =>
    bake(
      rangeUser,
      [
        'build',
        ctx,
        '--no-cache',
        '--platform',
        'linux/amd64',
        '--base',
        alpineBase,
        '-o',
        `type=oci,dest=${join(dirOf(rangeUser), 'remap')}`,
        '--progress',
        'plain',
      ],
      { cache },
    );
  const first = await build();
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout + first.stderr, /shadow=0:42$/m, 'Alpine ships /etc/shadow as root:shadow (42)');
  users.setRange(rangeUser, users.freshRange());
  const second = await build();
  assert.equal(second.code, 0, second.stderr);
  // Reusing the old snapshot showed 0:65534: its files belong to host ids the new mapping does not map.
  assert.match(second.stdout + second.stderr, /shadow=0:42$/m);
  assert.equal(readdirSync(join(cache, 'snapshots')).filter((d) => d.startsWith('map-')).length, 2, 'one snapshot store per mapping');
});
